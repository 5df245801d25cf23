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
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.proberewriter.time.SteppingClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Warning Events: one per object and message, counted again on repeats, names always valid. */
@EnableKubernetesMockClient(crud = true)
class WarningEventsTest {

    KubernetesClient client;
    KubernetesMockServer server;

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid("uid-" + name.length())
                .endMetadata().build();
    }

    @Test
    void aRepeatedWarningCountsOneEventAndAnotherMessageMakesAnother() {
        SteppingClock clock = new SteppingClock(Instant.parse("2026-11-21T10:00:00Z"));
        WarningEvents events = new WarningEvents(client, clock);
        Pod pod = pod("web-1");
        events.warn(pod, "ProbeIncompatibleWithMtls", "the liveness probe is broken");
        clock.step(WarningEvents.COALESCE);
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
        assertEquals("2026-11-21T10:00:00Z", liveness.getFirstTimestamp());
        assertEquals("2026-11-21T10:01:00Z", liveness.getLastTimestamp());
    }

    /** The requests the mock server has received since this was last called, as "METHOD path". */
    private List<String> calls() throws InterruptedException {
        List<String> calls = new ArrayList<>();
        for (RecordedRequest request; (request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null; ) {
            calls.add(request.getMethod() + " " + request.getPath());
        }
        return calls;
    }

    /**
     * A warning that a look repeats every few seconds (a port exception another controller keeps undoing is looked
     * at up to 20 times a minute) costs one call per interval, not two per look: repeats within the interval after a
     * write are counted in memory and carried by the next write, which is a PATCH with nothing read first.
     */
    @Test
    void repeatsWithinTheIntervalAreCountedInMemoryAndCarriedByTheNextPatch() throws InterruptedException {
        SteppingClock clock = new SteppingClock(Instant.parse("2026-11-21T10:00:00Z"));
        WarningEvents events = new WarningEvents(client, clock);
        Pod pod = pod("web-1");
        String name = WarningEvents.eventName(pod, "PortExceptionOverlap", "selects another workload's pods");
        String path = "/api/v1/namespaces/shop/events/" + name;
        calls();

        events.warn(pod, "PortExceptionOverlap", "selects another workload's pods");
        for (int look = 1; look < 20; look++) {
            clock.step(Duration.ofSeconds(3));
            events.warn(pod, "PortExceptionOverlap", "selects another workload's pods");
        }
        assertEquals(List.of("GET " + path, "POST /api/v1/namespaces/shop/events"), calls(),
                "20 looks in 57 s: the first writes the Event, the others are counted in memory");
        assertEquals(1, client.v1().events().inNamespace("shop").withName(name).get().getCount());
        calls();

        clock.step(Duration.ofSeconds(3));
        events.warn(pod, "PortExceptionOverlap", "selects another workload's pods");
        assertEquals(List.of("PATCH " + path), calls(), "a minute after the write: one PATCH, nothing read");
        Event counted = client.v1().events().inNamespace("shop").withName(name).get();
        assertEquals(21, counted.getCount(), "the 19 repeats held and this one");
        assertEquals("2026-11-21T10:00:00Z", counted.getFirstTimestamp());
        assertEquals("2026-11-21T10:01:00Z", counted.getLastTimestamp());
        assertEquals("selects another workload's pods", counted.getMessage());

        // Expired (the API server's --event-ttl) after that write: the PATCH finds nothing, and it starts again at 1.
        client.v1().events().inNamespace("shop").withName(name).delete();
        clock.step(WarningEvents.COALESCE);
        calls();
        events.warn(pod, "PortExceptionOverlap", "selects another workload's pods");
        assertEquals(List.of("PATCH " + path, "POST /api/v1/namespaces/shop/events"), calls());
        Event fresh = client.v1().events().inNamespace("shop").withName(name).get();
        assertEquals(1, fresh.getCount());
        assertEquals("2026-11-21T10:02:00Z", fresh.getFirstTimestamp());
        assertEquals("Warning", fresh.getType());
    }

    /** A server that answers as scripted, for what the CRUD mock cannot do: a call refused between two others. */
    private KubernetesMockServer scripted;
    private KubernetesClient scriptedClient;

    private KubernetesClient scriptedServer() {
        scripted = new KubernetesMockServer(false);
        scripted.start();
        scriptedClient = scripted.createClient();
        return scriptedClient;
    }

    @AfterEach
    void stopScriptedServer() {
        if (scriptedClient != null) {
            scriptedClient.close();
            scripted.destroy();
        }
    }

    /** The warning the scripted tests give, once, at 10:00 on a fixed clock. */
    private static final String BROKEN = WarningEvents.eventName(pod("web-1"), "ProbeIncompatibleWithMtls", "broken");
    private static final String BROKEN_PATH = "/api/v1/namespaces/shop/events/" + BROKEN;

    private static void warnBroken(KubernetesClient through) {
        new WarningEvents(through, Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC))
                .warn(pod("web-1"), "ProbeIncompatibleWithMtls", "broken");
    }

    /** An Event as the API server stores it. */
    private static Event stored(String name, int count, String message) {
        return new EventBuilder().withNewMetadata().withName(name).withNamespace("shop").withResourceVersion("7")
                .endMetadata().withCount(count).withMessage(message).build();
    }

    /** What the API server answers when it refuses a call about the Event {@code name}. */
    private static Status refusal(int code, String reason, String name) {
        return new StatusBuilder().withCode(code).withReason(reason)
                .withMessage("events \"" + name + "\": " + reason).build();
    }

    /** Every request a scripted server received, in order, once a second has passed without one. */
    private static List<RecordedRequest> requests(KubernetesMockServer scripted) throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest request; (request = scripted.takeRequest(1, TimeUnit.SECONDS)) != null; ) {
            requests.add(request);
        }
        return requests;
    }

    private static List<String> calls(List<RecordedRequest> requests) {
        return requests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList();
    }

    /** The Event the last request of {@code method} sent, or null. */
    private static Event sent(List<RecordedRequest> requests, String method) {
        Event sent = null;
        for (RecordedRequest request : requests) {
            if (method.equals(request.getMethod())) {
                sent = Serialization.unmarshal(request.getBody().readUtf8(), Event.class);
            }
        }
        return sent;
    }

    /**
     * The API server expires Events an hour after their last update: one read, then gone before the update, must be
     * created afresh with a count of one, not lost. The CRUD mock cannot delete between the two calls, so this one
     * answers as the API server would: the Event on GET, 404 on the PUT.
     */
    @Test
    void anEventExpiredBetweenReadAndUpdateIsCreatedAgain() throws InterruptedException {
        KubernetesClient expiring = scriptedServer();
        Event stored = stored(BROKEN, 4, "broken");
        scripted.expect().get().withPath(BROKEN_PATH).andReturn(200, stored).once();
        scripted.expect().put().withPath(BROKEN_PATH).andReturn(404, refusal(404, "NotFound", BROKEN)).always();
        scripted.expect().post().withPath("/api/v1/namespaces/shop/events").andReturn(201, stored).once();

        warnBroken(expiring);

        List<RecordedRequest> requests = requests(scripted);
        List<String> calls = calls(requests);
        Event created = sent(requests, "POST");
        assertEquals("POST /api/v1/namespaces/shop/events", calls.get(calls.size() - 1), calls.toString());
        assertTrue(calls.contains("PUT " + BROKEN_PATH), calls.toString());
        assertNotNull(created, calls.toString());
        assertEquals(1, created.getCount(), "a fresh Event starts its count again");
        assertEquals(BROKEN, created.getMetadata().getName());
        assertNull(created.getMetadata().getResourceVersion(), "created, not the expired one written back");
        assertEquals("2026-11-21T10:00:00Z", created.getFirstTimestamp());
    }

    /**
     * An Event read as missing and created by someone else before our POST (or a POST the client retried after the
     * API server had stored it) answers 409: it is read and counted again, not left uncounted with a warning logged.
     */
    @Test
    void anEventCreatedMeanwhileIsCountedAgainInsteadOfCreatedTwice() throws InterruptedException {
        KubernetesClient racing = scriptedServer();
        Event stored = stored(BROKEN, 4, "broken");
        scripted.expect().get().withPath(BROKEN_PATH).andReturn(404, refusal(404, "NotFound", BROKEN)).once();
        scripted.expect().post().withPath("/api/v1/namespaces/shop/events")
                .andReturn(409, refusal(409, "AlreadyExists", BROKEN)).once();
        scripted.expect().get().withPath(BROKEN_PATH).andReturn(200, stored).once();
        scripted.expect().put().withPath(BROKEN_PATH).andReturn(200, stored).once();

        warnBroken(racing);

        List<RecordedRequest> requests = requests(scripted);
        List<String> calls = calls(requests);
        Event updated = sent(requests, "PUT");
        assertEquals(List.of("GET " + BROKEN_PATH, "POST /api/v1/namespaces/shop/events", "GET " + BROKEN_PATH,
                "PUT " + BROKEN_PATH),
                calls);
        assertNotNull(updated);
        assertEquals(5, updated.getCount(), "the count the other writer left, and this warning");
        assertEquals("7", updated.getMetadata().getResourceVersion(), "an update of what was read");
    }

    /**
     * A write slowed past the interval (the client retrying while the API server struggles) must not be overtaken by
     * a second write of an older count, which could land last and count the Event backwards: a repeat while a write
     * is under way is held, whatever the time, and carried by the next write.
     */
    @Test
    void aRepeatWhileAWriteIsUnderWayIsHeldEvenPastTheInterval() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch patchArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            KubernetesClient slow = scriptedServer();
            Pod pod = pod("web-1");
            String name = WarningEvents.eventName(pod, "PortExceptionOverlap", "overlaps");
            String path = "/api/v1/namespaces/shop/events/" + name;
            Event stored = stored(name, 1, "overlaps");
            scripted.expect().get().withPath(path).andReturn(404, refusal(404, "NotFound", name)).once();
            scripted.expect().post().withPath("/api/v1/namespaces/shop/events").andReturn(201, stored).once();
            scripted.expect().patch().withPath(path).andReply(200, request -> {
                patchArrived.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // the API server taking its time over this one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return stored;
            }).once();
            scripted.expect().patch().withPath(path).andReturn(200, stored).always();
            SteppingClock clock = new SteppingClock(Instant.parse("2026-11-21T10:00:00Z"));
            WarningEvents events = new WarningEvents(slow, clock);

            events.warn(pod, "PortExceptionOverlap", "overlaps"); // GET, POST: count 1
            clock.step(WarningEvents.COALESCE);
            Future<?> slowWrite = threads.submit(() -> events.warn(pod, "PortExceptionOverlap", "overlaps"));
            assertTrue(patchArrived.await(10, TimeUnit.SECONDS), "the second warning's PATCH reached the server");
            clock.step(WarningEvents.COALESCE.multipliedBy(2));
            Future<?> repeat = threads.submit(() -> events.warn(pod, "PortExceptionOverlap", "overlaps"));
            try {
                repeat.get(3, TimeUnit.SECONDS);
            } catch (TimeoutException stuckBehindTheSlowWrite) {
                // What the old code did: a PATCH of its own, which waits for the server as the first one does.
            }
            release.countDown();
            slowWrite.get(10, TimeUnit.SECONDS);
            repeat.get(10, TimeUnit.SECONDS);
            clock.step(WarningEvents.COALESCE);
            events.warn(pod, "PortExceptionOverlap", "overlaps");

            List<String> patches = requests(scripted).stream().filter(r -> "PATCH".equals(r.getMethod()))
                    .map(r -> r.getBody().readUtf8()).toList();
            assertEquals(2, patches.size(), "the slow write and the one after it; the repeat held: " + patches);
            assertTrue(patches.get(0).startsWith("{\"count\":2,"), patches.get(0));
            assertTrue(patches.get(1).startsWith("{\"count\":4,"), "the held repeat carried: " + patches.get(1));
        } finally {
            release.countDown();
            threads.shutdownNow();
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
