package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.proberewriter.engine.HandlerKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every admission meter exists for every value of its labels from the start, at 0, so that a rate, an error ratio or
 * an alert's increase() has its series before the first event (a series born at 1 hides that event from them); an
 * admission counts once, under its own outcome only.
 */
class AdmissionMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Counter admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter();
    }

    private Timer duration(Outcome outcome) {
        return registry.find("probe_rewriter_admission_duration").tag("outcome", outcome.label()).timer();
    }

    @Test
    void everyOutcomeIsThereAtZeroBeforeAnyAdmission() {
        new AdmissionMetrics(registry);

        for (Outcome outcome : Outcome.values()) {
            assertNotNull(admissions(outcome), "no counter for " + outcome);
            assertEquals(0.0, admissions(outcome).count(), outcome.label());
            assertNotNull(duration(outcome), "no histogram for " + outcome);
            assertEquals(0, duration(outcome).count(), outcome.label());
        }
    }

    /** As Prometheus scrapes it: each bounded label value's series at 0, before anything happened. */
    @Test
    void aFreshScrapeHasEveryLabelValueAtZero() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new AdmissionMetrics(prometheus);

        // This text format ends a label set with a comma ({reason="unreadable",}); Prometheus reads both the same.
        Set<String> scraped = Set.of(prometheus.scrape().replace(",}", "}").split("\n"));
        List<String> expected = new ArrayList<>();
        for (RejectionReason reason : RejectionReason.values()) {
            expected.add("probe_rewriter_rejected_requests_total{reason=\"" + reason.label() + "\"} 0.0");
        }
        for (HandlerKind kind : HandlerKind.all()) {
            expected.add("probe_rewriter_probes_left_incompatible_total{probe=\"" + kind.word() + "\"} 0.0");
            for (String mode : List.of("exec", "port")) {
                expected.add("probe_rewriter_probes_rewritten_total{mode=\"" + mode + "\",probe=\"" + kind.word()
                        + "\"} 0.0");
            }
        }
        for (Outcome outcome : Outcome.values()) {
            expected.add("probe_rewriter_admissions_total{outcome=\"" + outcome.label() + "\"} 0.0");
        }
        assertEquals(List.of(), expected.stream().filter(line -> !scraped.contains(line)).toList(),
                "series missing from a fresh scrape:\n" + prometheus.scrape());
        assertEquals(List.of("malformed-json", "not-admission-review", "missing-request", "missing-uid",
                "missing-object", "unreadable"), Arrays.stream(RejectionReason.values()).map(RejectionReason::label)
                .toList(), "the reasons docs/operations.md lists");
    }

    @Test
    void aRejectedBodyCountsUnderItsReasonOnly() {
        AdmissionMetrics metrics = new AdmissionMetrics(registry);

        metrics.rejected(RejectionReason.MISSING_UID);

        for (RejectionReason reason : RejectionReason.values()) {
            assertEquals(reason == RejectionReason.MISSING_UID ? 1.0 : 0.0, registry.find(
                    "probe_rewriter_rejected_requests").tag("reason", reason.label()).counter().count(), reason.label());
        }
    }

    @Test
    void anAdmissionCountsUnderItsOwnOutcomeOnly() {
        AdmissionMetrics metrics = new AdmissionMetrics(registry);

        metrics.admitted(Outcome.ERROR, Duration.ofMillis(3));

        assertEquals(1.0, admissions(Outcome.ERROR).count());
        assertEquals(1, duration(Outcome.ERROR).count());
        assertEquals(3.0, duration(Outcome.ERROR).totalTime(TimeUnit.MILLISECONDS), 1e-9);
        for (Outcome other : new Outcome[] {Outcome.PATCHED, Outcome.UNCHANGED, Outcome.SKIPPED}) {
            assertEquals(0.0, admissions(other).count(), other.label());
            assertEquals(0, duration(other).count(), other.label());
        }
        assertEquals(Outcome.values().length, registry.find("probe_rewriter_admissions").counters().size(),
                "one counter per outcome, none made again");
    }
}
