package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The admission meters exist for every outcome from the start, at 0, so that a rate or an error ratio has its series
 * before the first admission of that outcome; an admission counts once, under its own outcome only.
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
