package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentRestartsTest {

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private static Pod podOf(String ownerUid) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-" + ownerUid)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                        .withName("web-" + ownerUid).withUid(ownerUid).withController(true).build())
                .endMetadata().build();
    }

    @Test
    void siblingsOfARestartedPodAreNotDueUntilTheIntervalEnds() {
        RecentRestarts recent = new RecentRestarts();
        recent.notDueUntil(podOf("rs-1"), T0.plus(HOUR), T0);
        assertTrue(recent.knownNotDue(podOf("rs-1"), T0.plusSeconds(300)), "a sibling, within the interval");
        assertFalse(recent.knownNotDue(podOf("rs-1"), T0.plus(HOUR)), "due again once the interval is over");
        assertFalse(recent.knownNotDue(podOf("rs-2"), T0), "another owner: not known");
        Pod bare = new PodBuilder().withNewMetadata().withNamespace("shop").withName("bare").endMetadata().build();
        recent.notDueUntil(bare, T0.plus(HOUR), T0);
        assertFalse(recent.knownNotDue(bare, T0), "a pod without a controller is never remembered");
    }

    /** Every rollout makes a ReplicaSet: the owners whose interval is over are forgotten, or the map would grow for ever. */
    @Test
    void ownersWhoseIntervalIsOverAreForgotten() {
        RecentRestarts recent = new RecentRestarts();
        for (int i = 0; i < 10_000; i++) {
            Instant now = T0.plus(HOUR.multipliedBy(i));
            recent.notDueUntil(podOf("rs-" + i), now.plus(HOUR), now);
        }
        assertTrue(recent.remembered() <= 2 * 64 + 2, "remembered: " + recent.remembered());
    }
}
