package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.polling.Eventually;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replica stopped as the kubelet stops it (SIGTERM), with admissions arriving all along as the API server sends
 * them: readiness goes down first, the replica goes on serving while the endpoints change reaches the API server
 * (here: the callers stop starting new calls a moment after they see readiness down), what is in flight finishes,
 * and the process then exits. Not one call fails.
 */
class GracefulStopIT {

    private static final Duration DELAY = Duration.ofSeconds(3);
    /** How long the callers keep sending after readiness went down: the endpoints change reaching them. */
    private static final Duration PROPAGATION = Duration.ofMillis(800);

    private PackagedReplica replica;

    @AfterEach
    void stop() throws InterruptedException {
        if (replica != null) {
            replica.close();
        }
    }

    @Test
    void admissionsSentThroughAStopAllSucceed() throws Exception {
        replica = PackagedReplica.start(List.of(PackagedReplica.JAVA),
                Map.of("PROBE_REWRITER_WEBHOOK_SHUTDOWN_DELAY", DELAY.toSeconds() + "s"));
        Process process = replica.process();

        URI mutate = replica.mutate();
        AtomicBoolean routed = new AtomicBoolean(true);
        AtomicInteger afterSigterm = new AtomicInteger();
        AtomicBoolean stopped = new AtomicBoolean();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        // Steady traffic, as a running cluster sends it: every caller has its connection and has had answers.
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(4 * 5);
        for (int i = 0; i < 4; i++) {
            int caller = i;
            Thread thread = new Thread(() -> {
                WebhookClient client = new WebhookClient(mutate);
                int n = 0;
                while (routed.get()) {
                    String uid = "c" + caller + "-" + n++;
                    try {
                        var review = Reviews.podCreate("default", Reviews.JSON.readTree("{\"metadata\":{\"name\":"
                                + "\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"example/app:1\","
                                + "\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080}}}]}}"));
                        ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request")).put("uid", uid);
                        HttpResponse<byte[]> response = client.post(review.toString());
                        if (response.statusCode() != 200
                                || !uid.equals(Reviews.response(response).path("uid").asText())) {
                            failures.add(uid + ": HTTP " + response.statusCode());
                        } else if (stopped.get()) {
                            afterSigterm.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.add(uid + ": " + e);
                    }
                    warm.countDown();
                }
            }, "caller-" + i);
            callers.add(thread);
            thread.start();
        }
        assertTrue(warm.await(60, TimeUnit.SECONDS), "the callers get their first answers");
        assertEquals(List.of(), failures, "calls failed before the stop:\n" + replica.tail());

        stopped.set(true);
        process.destroy(); // SIGTERM, as the kubelet sends it
        Eventually.until("readiness to go down", Duration.ofSeconds(10), () -> replica.readiness() != 200);
        Thread.sleep(PROPAGATION.toMillis());
        routed.set(false);
        for (Thread caller : callers) {
            caller.join(30_000);
        }
        assertTrue(process.waitFor(DELAY.toSeconds() + 20, TimeUnit.SECONDS), "the replica exits:\n" + replica.tail());

        assertEquals(List.of(), failures, "calls that failed through the stop:\n" + replica.tail());
        assertTrue(afterSigterm.get() > 0, "calls were served after SIGTERM, while the endpoints changed");
    }
}
