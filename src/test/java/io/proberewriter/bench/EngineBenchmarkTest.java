package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.patch.PodPatch;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What one admission costs the engine plus the JSON patch (the webhook's hot path): time and allocation per
 * pod, for a typical pod and for a 1 MiB pod with thousands of env vars. Prints figures; asserts only that the
 * work was done. Run with {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
class EngineBenchmarkTest {

    private static final ProbeRewriter ENGINE = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle());
    private static final NamespaceContext NAMESPACE = NamespaceContext.unknown("default");

    @Test
    void costFollowsTheProbesNotThePodSize() throws Exception {
        Pod typical = pod(3, 20);
        Pod large = pod(3, 9000);
        int bytes = new ObjectMapper().writeValueAsBytes(large).length;
        System.out.println();
        System.out.println("== engine + JSON patch, per pod (JIT warmed, single thread) ==");
        report("typical pod: 3 probes, 20 env vars", typical);
        report(String.format(Locale.ROOT, "large pod: 3 probes, 9000 env vars (%.1f MiB as JSON)",
                bytes / 1048576.0), large);
        report("typical pod: 30 probes (10 containers)", podWithContainers(10));
    }

    private static void report(String label, Pod pod) {
        int warmup = 20_000;
        int runs = 50_000;
        for (int i = 0; i < warmup; i++) {
            once(pod);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        int ops = 0;
        for (int i = 0; i < runs; i++) {
            ops += once(pod);
        }
        long elapsed = System.nanoTime() - start;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        assertTrue(ops > 0);
        System.out.printf(Locale.ROOT, "%-60s %8.1f µs/pod  %9.0f pods/s  %8.1f KiB allocated/pod%n", label,
                elapsed / 1000.0 / runs, runs / (elapsed / 1e9), allocated / 1024.0 / runs);
    }

    private static int once(Pod pod) {
        RewriteResult result = ENGINE.rewrite(pod, NAMESPACE);
        return PodPatch.of(result, pod.getMetadata(), "").toTree().size();
    }

    private static Pod pod(int probes, int envVars) {
        List<EnvVar> env = new ArrayList<>();
        for (int i = 0; i < envVars; i++) {
            env.add(new EnvVar("VARIABLE_NUMBER_" + i, "a value that is about one hundred bytes long, "
                    + "like a connection string or a feature flag list " + i, null));
        }
        ContainerBuilder container = new ContainerBuilder().withName("app").withImage("example/app:1.0").withEnv(env);
        if (probes > 0) {
            container.withLivenessProbe(probe("/healthz"));
        }
        if (probes > 1) {
            container.withReadinessProbe(probe("/ready"));
        }
        if (probes > 2) {
            container.withStartupProbe(probe("/started"));
        }
        return new PodBuilder().withNewMetadata().withName("bench").withNamespace("default").endMetadata()
                .withNewSpec().withContainers(container.build()).endSpec().build();
    }

    private static Pod podWithContainers(int count) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName("bench").endMetadata().withNewSpec().endSpec();
        List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            containers.add(new ContainerBuilder().withName("c" + i).withLivenessProbe(probe("/healthz"))
                    .withReadinessProbe(probe("/ready")).withStartupProbe(probe("/started")).build());
        }
        return builder.editSpec().withContainers(containers).endSpec().build();
    }

    private static Probe probe(String path) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(8080)).endHttpGet()
                .withPeriodSeconds(10).build();
    }
}
