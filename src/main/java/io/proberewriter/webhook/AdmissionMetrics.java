package io.proberewriter.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.proberewriter.engine.Action;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.RewriteResult;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook's meters, exported at {@code /q/metrics} on the management port:
 * <ul>
 *   <li>{@code probe_rewriter_admissions_total{outcome}}: patched, unchanged, skipped, error;</li>
 *   <li>{@code probe_rewriter_probes_rewritten_total{mode, probe}}: exec or port, liveness/readiness/startup;</li>
 *   <li>{@code probe_rewriter_admission_duration_seconds}: a histogram of the time spent per request, by outcome;</li>
 *   <li>{@code probe_rewriter_rejected_requests_total{reason}}: bodies answered with 400;</li>
 *   <li>{@code probe_rewriter_probes_left_incompatible_total{probe}}: probes admitted still broken by mTLS
 *       (mode off, an invalid annotation, port mode without a usable health port).</li>
 * </ul>
 */
@Singleton
public class AdmissionMetrics {

    private final MeterRegistry registry;
    // The outcomes' meters are built at start and only read after; the others once per label value, on first use.
    // Neither is built by a builder per admission.
    private final Map<Outcome, Counter> admissions = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);
    private final Map<String, Counter> rewritten = new ConcurrentHashMap<>();
    private final Map<HandlerKind, Counter> leftIncompatible = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    /**
     * Every outcome's counter and histogram are registered here, at 0, not on their first admission: a rate or an
     * error ratio over them has a series from the first scrape (a series that appears later hides its first
     * increment from {@code rate()}), and the first admission a replica answers does not pay for building them.
     */
    AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            admissions.put(outcome, Counter.builder("probe_rewriter_admissions")
                    .description("AdmissionReview requests answered, by outcome")
                    .tag("outcome", outcome.label()).register(registry));
            durations.put(outcome, Timer.builder("probe_rewriter_admission_duration")
                    .description("Time to answer one AdmissionReview")
                    .tag("outcome", outcome.label()).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
                    .register(registry));
        }
    }

    void admitted(Outcome outcome, Duration took) {
        admissions.get(outcome).increment();
        durations.get(outcome).record(took);
    }

    /** Counted per kind first, then one increment per counter: a pod may have tens of thousands of probes. */
    void probesRewritten(RewriteResult result) {
        Map<String, Map<HandlerKind, Integer>> counts = new TreeMap<>();
        for (ProbeDecision decision : result.decisions()) {
            if (decision.action() != Action.UNCHANGED) {
                String mode = decision.action() == Action.REWRITTEN_EXEC ? "exec" : "port";
                counts.computeIfAbsent(mode, m -> new LinkedHashMap<>())
                        .merge(decision.kind(), 1, Integer::sum);
            }
        }
        counts.forEach((mode, byKind) -> byKind.forEach((kind, count) -> {
            String probe = kind.word();
            rewritten.computeIfAbsent(mode + "/" + probe, key -> Counter.builder("probe_rewriter_probes_rewritten")
                    .description("Probes rewritten, by mode and kind")
                    .tag("mode", mode).tag("probe", probe).register(registry)).increment(count);
        }));
    }

    void probesLeftIncompatible(RewriteResult result) {
        Map<HandlerKind, Integer> counts = new LinkedHashMap<>();
        for (ProbeDecision decision : result.decisions()) {
            if (decision.staysBroken()) {
                counts.merge(decision.kind(), 1, Integer::sum);
            }
        }
        counts.forEach((probeKind, count) -> leftIncompatible.computeIfAbsent(probeKind, kind ->
                Counter.builder("probe_rewriter_probes_left_incompatible")
                        .description("Probes admitted still broken by mTLS, by kind")
                        .tag("probe", kind.word()).register(registry)).increment(count));
    }

    void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("probe_rewriter_rejected_requests")
                .description("Request bodies answered with 400")
                .tag("reason", r).register(registry)).increment();
    }
}
