package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * typical and ten-container pods. Run with
 * {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionBenchmarkTest extends WebhookTestBase {

    @Inject
    AdmissionController controller;

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
