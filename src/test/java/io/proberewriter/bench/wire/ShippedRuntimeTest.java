package io.proberewriter.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark runs the servers as the shipped Deployment says, its CPU limit included. */
class ShippedRuntimeTest {

    @Test
    void theWebhookRunsUnderItsCpuLimitAndTheJvmSizesItselfForOneProcessor() throws IOException {
        ShippedRuntime webhook = ShippedRuntime.read();
        assertEquals(2.0, webhook.cpuLimit(), "k8s/base/deployment.yaml's limits.cpu");
        assertTrue(webhook.cpuQuota(), "enforced as a quota unless -Dbench.cpu-quota=false or pinning");
        // The container's JAVA_OPTS_APPEND comes after what the limit would make the JVM read, so it wins, as in the
        // pod (the JVM takes the last of a repeated option).
        List<String> processors = webhook.options().stream()
                .filter(option -> option.startsWith("-XX:ActiveProcessorCount=")).toList();
        assertEquals(List.of("-XX:ActiveProcessorCount=2", "-XX:ActiveProcessorCount=1"), processors);
        assertTrue(webhook.options().contains("-XX:MaxRAM=" + (512L << 20)), webhook.options().toString());
    }

    @Test
    void throttlingIsReadFromEitherCgroupVersion() {
        assertEquals("29 of 44 periods, 1,214 ms", CpuQuota.throttling(List.of("nr_periods 44", "nr_throttled 29",
                "throttled_time 1214000000", "nr_bursts 0")), "v1 counts nanoseconds");
        assertEquals("3 of 10 periods, 250 ms", CpuQuota.throttling(List.of("usage_usec 900000", "nr_periods 10",
                "nr_throttled 3", "throttled_usec 250000")), "v2 counts microseconds");
    }
}
