package io.proberewriter.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /**
     * The API server expires Events an hour after their last update: one read, then gone before the update, must be
     * created afresh with a count of one, not lost. The CRUD mock cannot delete between the two calls, so this one
     * answers as the API server would: the Event on GET, 404 on the PUT.
     */
    @Test
    void anEventExpiredBetweenReadAndUpdateIsCreatedAgain() throws InterruptedException {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.start();
        try (KubernetesClient expiring = server.createClient()) {
            Pod pod = pod("web-1");
            String name = WarningEvents.eventName(pod, "ProbeIncompatibleWithMtls", "broken");
            String path = "/api/v1/namespaces/shop/events/" + name;
            Event stored = new EventBuilder().withNewMetadata().withName(name).withNamespace("shop")
                    .withResourceVersion("7").endMetadata().withCount(4).withMessage("broken").build();
            server.expect().get().withPath(path).andReturn(200, stored).once();
            server.expect().put().withPath(path).andReturn(404, new StatusBuilder().withCode(404)
                    .withReason("NotFound").withMessage("events \"" + name + "\" not found").build()).always();
            server.expect().post().withPath("/api/v1/namespaces/shop/events").andReturn(201, stored).once();

            new WarningEvents(expiring, Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC))
                    .warn(pod, "ProbeIncompatibleWithMtls", "broken");

            List<String> calls = new ArrayList<>();
            Event created = null;
            for (RecordedRequest request; (request = server.takeRequest(1, TimeUnit.SECONDS)) != null; ) {
                calls.add(request.getMethod() + " " + request.getPath());
                if ("POST".equals(request.getMethod())) {
                    created = Serialization.unmarshal(request.getBody().readUtf8(), Event.class);
                }
            }
            assertEquals("POST /api/v1/namespaces/shop/events", calls.get(calls.size() - 1), calls.toString());
            assertTrue(calls.contains("PUT " + path), calls.toString());
            assertNotNull(created, calls.toString());
            assertEquals(1, created.getCount(), "a fresh Event starts its count again");
            assertEquals(name, created.getMetadata().getName());
            assertNull(created.getMetadata().getResourceVersion(), "created, not the expired one written back");
            assertEquals("2026-11-21T10:00:00Z", created.getFirstTimestamp());
        } finally {
            server.destroy();
        }
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
