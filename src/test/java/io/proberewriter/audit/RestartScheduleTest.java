package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** At most one restart per interval, read from the controller's own restartedAt, against a fixed clock. */
class RestartScheduleTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final Duration HOUR = Duration.ofHours(1);

    private static boolean due(String restartedAt) {
        Deployment d = AuditFixtures.deployment("shop", "httpbin");
        if (restartedAt != null) {
            d = new DeploymentBuilder(d).editSpec().editTemplate().editMetadata()
                    .addToAnnotations(RestartSchedule.RESTARTED_AT, restartedAt).endMetadata().endTemplate().endSpec()
                    .build();
        }
        return RestartSchedule.due(RestartSchedule.lastRestart(d), CLOCK.instant(), HOUR);
    }

    @Test
    void neverRestartedIsDue() {
        assertTrue(due(null));
        Deployment noTemplate = new DeploymentBuilder().withNewMetadata().withName("x").endMetadata().build();
        assertEquals(Optional.empty(), RestartSchedule.lastRestart(noTemplate));
    }

    @Test
    void restartedWithinTheIntervalIsNotDue() {
        assertFalse(due("2026-03-01T11:50:00Z"));
        assertFalse(due("2026-03-01T11:00:01Z"));
        assertTrue(due("2026-03-01T11:00:00Z"), "exactly one interval ago");
        assertTrue(due("2026-02-28T12:00:00Z"));
    }

    @Test
    void kubectlsLocalOffsetsAndFractionsAreRead() {
        // kubectl writes Go's RFC 3339 in the local zone of whoever ran it.
        assertFalse(due("2026-03-01T12:50:00+01:00"));
        assertTrue(due("2026-03-01T11:00:00+01:00"));
        assertFalse(due("2026-03-01T11:59:59.5Z"));
    }

    @Test
    void aClockSlightlyAheadStillCountsAsARecentRestart() {
        assertFalse(due("2026-03-01T12:05:00Z"));
        assertTrue(due("2026-03-01T14:00:00Z"), "further ahead than an interval: not a plausible record");
    }

    @Test
    void anUnreadableRecordDoesNotBlockRestarts() {
        assertTrue(due("yesterday"));
        assertTrue(due(""));
    }

    @Test
    void theStampIsWhatKubectlWrites() {
        assertEquals("2026-03-01T12:00:00Z", RestartSchedule.stamp(Instant.parse("2026-03-01T12:00:00.987Z")));
        assertEquals(Optional.of(Instant.parse("2026-03-01T12:00:00Z")),
                RestartSchedule.parse(RestartSchedule.stamp(CLOCK.instant())));
    }
}
