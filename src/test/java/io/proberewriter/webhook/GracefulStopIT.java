package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.polling.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    private static final String JAR = "target/quarkus-app/quarkus-run.jar";
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    /** The replica's shutdown delay here: shorter than the Deployment's, long enough to see it. */
    private static final Duration DELAY = Duration.ofSeconds(3);
    /** How long the callers keep sending after readiness went down: the endpoints change reaching them. */
    private static final Duration PROPAGATION = Duration.ofMillis(800);

    private Process process;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void admissionsSentThroughAStopAllSucceed() throws Exception {
        Map<String, String> tls = new ServingCertificates().start();
        int httpsPort = freePort();
        int managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR, "serve");
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("PROBE_REWRITER_TLS_CERT_FILE", tls.get("probe-rewriter.tls.cert-file"));
        env.put("PROBE_REWRITER_TLS_KEY_FILE", tls.get("probe-rewriter.tls.key-file"));
        env.put("PROBE_REWRITER_NAMESPACES_WATCH", "false");
        env.put("PROBE_REWRITER_WEBHOOK_SHUTDOWN_DELAY", DELAY.toSeconds() + "s");
        builder.redirectErrorStream(true);
        process = builder.start();
        Thread reader = new Thread(() -> read(process));
        reader.setDaemon(true);
        reader.start();
        Eventually.until("the replica is ready", Duration.ofSeconds(60), () -> ready(managementPort) == 200);

        URI mutate = URI.create("https://localhost:" + httpsPort + "/mutate");
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
        assertEquals(List.of(), failures, "calls failed before the stop:\n" + tail());

        stopped.set(true);
        process.destroy(); // SIGTERM, as the kubelet sends it
        Eventually.until("readiness to go down", Duration.ofSeconds(10), () -> ready(managementPort) != 200);
        Thread.sleep(PROPAGATION.toMillis());
        routed.set(false);
        for (Thread caller : callers) {
            caller.join(30_000);
        }
        assertTrue(process.waitFor(DELAY.toSeconds() + 20, TimeUnit.SECONDS), "the replica exits:\n" + tail());

        assertEquals(List.of(), failures, "calls that failed through the stop:\n" + tail());
        assertTrue(afterSigterm.get() > 0, "calls were served after SIGTERM, while the endpoints changed");
    }

    /** The readiness status code; 0 when the management port no longer answers. */
    static int ready(int managementPort) {
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private void read(Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                log.add(line);
            }
        } catch (IOException e) {
            log.add("(log ended: " + e + ")");
        }
    }

    private String tail() {
        synchronized (log) {
            return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
