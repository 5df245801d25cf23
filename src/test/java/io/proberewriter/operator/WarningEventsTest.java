package io.proberewriter.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Warning Events: one per object and message, counted again on repeats, names always valid. */
@EnableKubernetesMockClient(crud = true)
class WarningEventsTest {

    KubernetesClient client;

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid("uid-" + name.length())
                .endMetadata().build();
    }

    @Test
    void aRepeatedWarningCountsOneEventAndAnotherMessageMakesAnother() {
        WarningEvents events = new WarningEvents(client, Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"),
                ZoneOffset.UTC));
        Pod pod = pod("web-1");
        events.warn(pod, "ProbeIncompatibleWithMtls", "the liveness probe is broken");
        events.warn(pod, "ProbeIncompatibleWithMtls", "the liveness probe is broken");
        events.warn(pod, "ProbeIncompatibleWithMtls", "the readiness probe is broken");

        List<Event> recorded = client.v1().events().inNamespace("shop").list().getItems();
        assertEquals(2, recorded.size());
        Event liveness = recorded.stream().filter(e -> e.getMessage().contains("liveness")).findFirst().orElseThrow();
        assertEquals(2, liveness.getCount());
        assertEquals("Warning", liveness.getType());
        assertEquals("Pod", liveness.getInvolvedObject().getKind());
        assertEquals("web-1", liveness.getInvolvedObject().getName());
        assertEquals(WarningEvents.COMPONENT, liveness.getSource().getComponent());
        assertEquals("2026-11-21T10:00:00Z", liveness.getLastTimestamp());
    }

    @Test
    void namesAreStableAndNeverTooLong() {
        Pod pod = pod("web-1");
        assertEquals(WarningEvents.eventName(pod, "R", "m"), WarningEvents.eventName(pod, "R", "m"));
        assertNotEquals(WarningEvents.eventName(pod, "R", "m"), WarningEvents.eventName(pod, "R", "n"));
        String longest = WarningEvents.eventName(pod("a".repeat(253)), "R", "m");
        assertTrue(longest.length() <= 253, longest.length() + " characters");
    }
}
