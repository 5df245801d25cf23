package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.bench.wire.ShippedRuntime;
import io.proberewriter.scale.ScalePods;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The packaged webhook with the Deployment's JVM options and memory limit (read from k8s/base/deployment.yaml), sent
 * sixteen of the largest pods the API server can send (3 MiB each) at once, twice over, while ordinary pods keep
 * arriving. Before the memory budget ({@link RequestMemoryBudget}) eight such pods ended the process with an
 * OutOfMemoryError. Now each large one is answered, with a patch or with 429 when the budget cannot hold it; every
 * ordinary pod is answered with 200; the process lives; and its resident memory stayed under the container's limit,
 * past which the kernel would have killed it.
 */
class LargePodBurstIT {

    private static final int CALLERS = 16;
    private static final int CALLS_EACH = 2;

    @Test
    void aBurstOfTheLargestPodsNeitherEndsTheProcessNorRefusesOrdinaryPods() throws Exception {
        ShippedRuntime runtime = ShippedRuntime.read();
        List<String> java = new ArrayList<>(List.of(runtime.java()));
        java.addAll(runtime.options());
        try (PackagedReplica replica = PackagedReplica.start(java,
                Map.of("PROBE_REWRITER_WEBHOOK_SHUTDOWN_DELAY", "0s"))) {
            burst(replica, runtime);
        }
    }

    private void burst(PackagedReplica replica, ShippedRuntime runtime) throws Exception {
        Process process = replica.process();

        URI mutate = replica.mutate();
        ObjectNode largest = Reviews.podCreate("default", ScalePods.largestLegal(1024));
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger patchedOrUnchanged = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int caller = i;
            callers.add(started(() -> {
                WebhookClient client = new WebhookClient(mutate);
                for (int n = 0; n < CALLS_EACH; n++) {
                    String uid = "large-" + caller + "-" + n;
                    ObjectNode review = largest.deepCopy();
                    ((ObjectNode) review.path("request")).put("uid", uid);
                    try {
                        HttpResponse<byte[]> response = client.fresh().post(Reviews.JSON.writeValueAsBytes(review));
                        if (response.statusCode() == 429) {
                            refused.incrementAndGet();
                        } else if (response.statusCode() == 200
                                && uid.equals(Reviews.response(response).path("uid").asText())) {
                            patchedOrUnchanged.incrementAndGet();
                        } else {
                            failures.add(uid + ": HTTP " + response.statusCode() + " "
                                    + new String(response.body(), StandardCharsets.UTF_8));
                        }
                    } catch (Exception e) {
                        failures.add(uid + ": " + e);
                    }
                }
            }));
        }
        AtomicBoolean burst = new AtomicBoolean(true);
        AtomicInteger ordinary = new AtomicInteger();
        Thread ordinaryCaller = started(() -> {
            WebhookClient client = new WebhookClient(mutate);
            for (int n = 0; burst.get(); n++) {
                String uid = "ordinary-" + n;
                try {
                    ObjectNode review = Reviews.podCreate("default", Reviews.JSON.readTree("{\"metadata\":{\"name\":"
                            + "\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"example/app:1\","
                            + "\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080}}}]}}"));
                    ((ObjectNode) review.path("request")).put("uid", uid);
                    HttpResponse<byte[]> response = client.post(review.toString());
                    if (response.statusCode() != 200 || !uid.equals(Reviews.response(response).path("uid").asText())) {
                        failures.add(uid + ": HTTP " + response.statusCode());
                    }
                    ordinary.incrementAndGet();
                    Thread.sleep(50);
                } catch (Exception e) {
                    failures.add(uid + ": " + e);
                }
            }
        });
        for (Thread caller : callers) {
            caller.join(120_000);
        }
        burst.set(false);
        ordinaryCaller.join(30_000);

        assertTrue(process.isAlive(), "the webhook is still running:\n" + replica.tail());
        assertEquals(List.of(), failures, "calls not answered with 200 or 429:\n" + replica.tail());
        assertEquals(CALLERS * CALLS_EACH, patchedOrUnchanged.get() + refused.get());
        assertTrue(patchedOrUnchanged.get() > 0, "some of the largest pods were answered");
        assertTrue(ordinary.get() > 0, "ordinary pods were sent during the burst");
        long peak = residentPeakBytes(process.pid());
        assertTrue(peak < runtime.memoryLimitBytes(), "peak resident memory " + (peak >> 20)
                + " MiB, over the container's limit of " + (runtime.memoryLimitBytes() >> 20) + " MiB");
        System.out.printf("large pods answered %d, refused with 429 %d; ordinary pods %d; peak RSS %d MiB%n",
                patchedOrUnchanged.get(), refused.get(), ordinary.get(), peak >> 20);
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    /** VmHWM: the most resident memory the process has had, what the kernel compares with the cgroup's limit. */
    private static long residentPeakBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for process " + pid);
    }
}
