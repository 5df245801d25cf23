package io.proberewriter.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * java-operator-sdk's reconciliation metrics by controller, not by resource. The Quarkus extension's default
 * collects them per resource: every pod the audit looks at got its own timers and counters, tagged with its name,
 * several KiB of the operator's heap each (docs/benchmarks.md) and a set of series per pod for Prometheus, a
 * cardinality no dashboard needs. Producing the {@link Metrics} bean replaces the extension's default one.
 */
@Singleton
public class ReconcilerMetrics {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
