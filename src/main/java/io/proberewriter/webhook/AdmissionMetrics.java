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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The webhook's meters, exported at {@code /q/metrics} on the management port:
 * <ul>
 *   <li>{@code probe_rewriter_admissions_total{outcome}}: patched, unchanged, skipped, error;</li>
 *   <li>{@code probe_rewriter_probes_rewritten_total{mode, probe}}: exec or port, each probe and hook kind;</li>
 *   <li>{@code probe_rewriter_admission_duration_seconds}: a histogram of the time spent per request, by outcome;</li>
 *   <li>{@code probe_rewriter_rejected_requests_total{reason}}: bodies answered with 400;</li>
 *   <li>{@code probe_rewriter_probes_left_incompatible_total{probe}}: probes admitted still broken by mTLS
 *       (mode off, an invalid annotation, port mode without a usable health port).</li>
 * </ul>
 */
@Singleton
public class AdmissionMetrics {

    // Every meter is built at start, for every value of its labels (all of them bounded), and only looked up after:
    // none is built per admission.
    private final Map<Outcome, Counter> admissions = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);
    private final Map<RewriteMode, Map<HandlerKind, Counter>> rewritten = new EnumMap<>(RewriteMode.class);
    private final Map<HandlerKind, Counter> leftIncompatible = new HashMap<>();
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);

    /** How a probe was rewritten, as the {@code mode} label says: exec, or port (kept on the health port included). */
    private enum RewriteMode {
        EXEC, PORT;

        static RewriteMode of(Action action) {
            return action == Action.REWRITTEN_EXEC ? EXEC : PORT;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Every series is registered here, at 0, not on its first event: {@code rate()} and {@code increase()} see an
     * increment only between two samples of a series, so a series born at 1 on a replica's first rejected body (and
     * again after every rollout) would hide that event from the alerts over it; an error ratio also has its series
     * from the first scrape, and the first admission a replica answers does not pay for building meters.
     */
    AdmissionMetrics(MeterRegistry registry) {
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
        for (RewriteMode mode : RewriteMode.values()) {
            Map<HandlerKind, Counter> byKind = new HashMap<>();
            for (HandlerKind kind : HandlerKind.all()) {
                byKind.put(kind, Counter.builder("probe_rewriter_probes_rewritten")
                        .description("Probes rewritten, by mode and kind")
                        .tag("mode", mode.label()).tag("probe", kind.word()).register(registry));
            }
            rewritten.put(mode, byKind);
        }
        for (HandlerKind kind : HandlerKind.all()) {
            leftIncompatible.put(kind, Counter.builder("probe_rewriter_probes_left_incompatible")
                    .description("Probes admitted still broken by mTLS, by kind")
                    .tag("probe", kind.word()).register(registry));
        }
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, Counter.builder("probe_rewriter_rejected_requests")
                    .description("Request bodies answered with 400")
                    .tag("reason", reason.label()).register(registry));
        }
    }

    void admitted(Outcome outcome, Duration took) {
        admissions.get(outcome).increment();
        durations.get(outcome).record(took);
    }

    /** Counted per kind first, then one increment per counter: a pod may have tens of thousands of probes. */
    void probesRewritten(RewriteResult result) {
        Map<RewriteMode, Map<HandlerKind, Integer>> counts = new EnumMap<>(RewriteMode.class);
        for (ProbeDecision decision : result.decisions()) {
            if (decision.action() != Action.UNCHANGED) {
                counts.computeIfAbsent(RewriteMode.of(decision.action()), m -> new LinkedHashMap<>())
                        .merge(decision.kind(), 1, Integer::sum);
            }
        }
        counts.forEach((mode, byKind) -> byKind.forEach((kind, count) ->
                rewritten.get(mode).get(kind).increment(count)));
    }

    void probesLeftIncompatible(RewriteResult result) {
        Map<HandlerKind, Integer> counts = new LinkedHashMap<>();
        for (ProbeDecision decision : result.decisions()) {
            if (decision.staysBroken()) {
                counts.merge(decision.kind(), 1, Integer::sum);
            }
        }
        counts.forEach((kind, count) -> leftIncompatible.get(kind).increment(count));
    }

    void rejected(RejectionReason reason) {
        rejected.get(reason).increment();
    }
}
