package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proberewriter.cluster.NamespaceCache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One admission without the network: parse the AdmissionReview, read the pod, run the engine, build the patch
 * and the response. Prints time and allocation per request for a small pod, a 1 MiB pod, and the wire benchmark's
 * typical and ten-container pods, and for the typical pod the CPU and allocation of each part of an admission. Run with
 * {@code mvn -B verify -Pbenchmark}; under the image's compiler, C1 alone, with
 * {@code JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1 mvn -B test -Pbenchmark -Dtest=AdmissionBenchmarkTest}.
 */
@Tag("benchmark")
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionBenchmarkTest extends WebhookTestBase {

    @Inject
    AdmissionController controller;

    @Inject
    PodMutator mutator;

    @Inject
    NamespaceCache namespaces;

    @Test
    void admissionCostForATypicalAndAOneMebibytePod() {
        byte[] typical = Reviews.podCreate("default", pod("typical", 8080)).toString().getBytes(StandardCharsets.UTF_8);
        ObjectNode bigPod = podWithEnvOfAtLeast("big", 8080, 1024 * 1024);
        byte[] big = Reviews.podCreate("default", bigPod).toString().getBytes(StandardCharsets.UTF_8);
        System.out.println();
        System.out.println("== one admission in process (parse, engine, patch, response; JIT warmed) ==");
        report(String.format(Locale.ROOT, "typical pod (%d bytes)", typical.length), typical, 20_000);
        byte[] deploymentMade = io.proberewriter.bench.wire.BenchmarkPods.typical();
        report(String.format(Locale.ROOT, "Deployment-made pod of the wire benchmark (%d bytes)",
                deploymentMade.length), deploymentMade, 10_000);
        report(String.format(Locale.ROOT, "1 MiB pod, 1 probe (%d bytes)", big.length), big, 300);
        byte[] tenContainers = io.proberewriter.bench.wire.BenchmarkPods.tenContainers();
        report(String.format(Locale.ROOT, "ten containers, 30 probes (%d bytes)", tenContainers.length),
                tenContainers, 2_000);
    }

    /**
     * The parts of one admission of the wire benchmark's typical pod, each run back to back on its own: reading the
     * review, deciding (the engine and the patch), writing the answer, and the whole admission (the parts and the
     * metrics). CPU by the thread's own clock, so that what other processes take of the machine is not counted.
     */
    @Test
    void whereATypicalAdmissionSpendsItsCpu() throws BadAdmissionRequest {
        byte[] body = io.proberewriter.bench.wire.BenchmarkPods.typical();
        ReviewRequest request = ReviewCodec.read(body);
        Mutation mutation = mutator.mutate(request.pod(), namespaces.view(request.namespace()), request.name());
        assertEquals(Outcome.PATCHED, mutation.outcome(), "the typical pod is measured on the path that patches it");
        Runnable[] parts = {
            () -> read(body),
            () -> mutator.mutate(request.pod(), namespaces.view(request.namespace()), request.name()),
            () -> ReviewCodec.write(request.uid(), mutation),
            () -> controller.handle(body)};
        String[] names = {"read the review", "decide (engine, patch)", "write the answer", "the whole admission"};
        System.out.println();
        String compilers = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("TieredStopAtLevel").getValue().equals("1") ? "C1 alone, as the image runs" : "C1 and C2";
        System.out.printf(Locale.ROOT, "== the parts of one admission of the typical pod (%d bytes), %s ==%n",
                body.length, compilers);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int runs = 20_000;
        for (int round = 1; round <= 3; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (int part = 0; part < parts.length; part++) {
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < runs; i++) {
                    parts[part].run();
                }
                line.append(String.format(Locale.ROOT, "  %s %.1f µs %.1f KiB;", names[part],
                        (threads.getCurrentThreadCpuTime() - cpuBefore) / 1000.0 / runs,
                        (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) / 1024.0 / runs));
            }
            System.out.println(line); // the first round warms the JIT; read the later ones
        }
    }

    private static void read(byte[] body) {
        try {
            ReviewCodec.read(body);
        } catch (BadAdmissionRequest e) {
            throw new IllegalStateException(e);
        }
    }

    private void report(String label, byte[] body, int runs) {
        for (int i = 0; i < runs; i++) {
            assertEquals(200, controller.handle(body).status());
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            controller.handle(body);
        }
        long elapsed = System.nanoTime() - start;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        System.out.printf(Locale.ROOT, "%-45s %10.1f µs/request %10.0f requests/s %10.1f KiB allocated/request%n",
                label, elapsed / 1000.0 / runs, runs / (elapsed / 1e9), allocated / 1024.0 / runs);
    }
}
