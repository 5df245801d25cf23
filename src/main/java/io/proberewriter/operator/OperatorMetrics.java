package io.proberewriter.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The operator's own metrics ({@code operator_sdk_*}), per controller and never per resource. It replaces the
 * extension's default, which tags every series with the name and namespace of the resource reconciled: the audit
 * reconciles every pod of the cluster, so that default made a timer with a histogram (some 80 series) for each pod
 * ever seen, and kept it after the pod was gone (the SDK drops them only for reconcilers with a finalizer, and the
 * audit puts none on pods). Measured: some 20 KiB of heap and 13 KiB of every scrape per pod, without end, where a
 * cluster creates thousands of pods a day; replacing 1,000 pods three times ran the operator out of heap. What is known per pod is in Events and in the audit's gauge, which is per
 * namespace.
 */
@Singleton
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
