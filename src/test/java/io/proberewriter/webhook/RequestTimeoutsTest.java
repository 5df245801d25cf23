package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Clients that hold a connection without completing a request — sending nothing, half the headers, headers or a
 * body a byte at a time — are disconnected within seconds, while a kept-alive connection waiting between requests
 * is not. Timeouts of 2 s here; each closing must happen within {@link #BOUND}, which the idle timeout (15 s) cannot
 * meet, so only the header and body deadlines can have closed them.
 */
@QuarkusTest
@TestProfile(RequestTimeoutsTest.ShortTimeouts.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class RequestTimeoutsTest extends WebhookTestBase {

    static final Duration BOUND = Duration.ofSeconds(10);
    static final Duration IDLE = Duration.ofSeconds(15);

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.webhook.header-timeout", "2s",
                    "probe-rewriter.webhook.body-timeout", "2s",
                    "probe-rewriter.webhook.idle-timeout", IDLE.toSeconds() + "s");
        }
    }

    private static final String HEADER_TIMEOUTS = "probe_rewriter_request_timeouts_total{phase=\"headers\"}";
    private static final String BODY_TIMEOUTS = "probe_rewriter_request_timeouts_total{phase=\"body\"}";
    private static final String HEAD = "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";

    @Test
    void aConnectionThatSendsNothingAfterTheHandshakeIsClosed() throws Exception {
        try (SSLSocket socket = connect()) {
            Eventually.until("the server to close a connection that never sent a request", BOUND,
                    () -> closedByServer(socket));
        }
    }

    @Test
    void halfTheHeadersThenSilenceIsClosed() throws Exception {
        try (SSLSocket socket = connect()) {
            send(socket, "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Le");
            Eventually.until("the server to close a connection with half its headers", BOUND,
                    () -> closedByServer(socket));
        }
    }

    @Test
    void headersSentAByteAtATimeAreCutOff() throws Exception {
        double before = metric(HEADER_TIMEOUTS);
        try (SSLSocket socket = connect(); Trickle trickle = new Trickle(socket, HEAD + "X-Slow: ")) {
            Eventually.until("the server to close a connection trickling its headers", BOUND,
                    () -> closedByServer(socket));
            assertTrue(trickle.sent() > HEAD.length(), "the trickle never started: " + trickle.sent());
        }
        assertTrue(metric(HEADER_TIMEOUTS) >= before + 1, "not counted in " + HEADER_TIMEOUTS);
    }

    @Test
    void aBodySentAByteAtATimeIsCutOff() throws Exception {
        double before = metric(BODY_TIMEOUTS);
        try (SSLSocket socket = connect();
             Trickle trickle = new Trickle(socket, HEAD + "Content-Length: 100000\r\n\r\n{\"a\":\"")) {
            Eventually.until("the server to close a connection trickling its body", BOUND,
                    () -> closedByServer(socket));
            assertTrue(trickle.sent() > HEAD.length(), "the trickle never started: " + trickle.sent());
        }
        assertTrue(metric(BODY_TIMEOUTS) >= before + 1, "not counted in " + BODY_TIMEOUTS);
    }

    /**
     * The API server keeps connections alive between calls: a connection waiting for its next request longer than
     * the header and body timeouts is still served, and is closed only by the idle timeout.
     */
    @Test
    void aKeptAliveConnectionOutlivesTheRequestTimeoutsUntilTheIdleTimeout() throws Exception {
        try (SSLSocket socket = connect()) {
            InputStream in = socket.getInputStream();
            String body = Reviews.podCreate("default", pod("p", 8080)).toString();
            String request = HEAD + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
            send(socket, request);
            assertEquals(200, readStatus(in));
            Thread.sleep(4_000); // idle for twice the header and body timeouts
            send(socket, request);
            assertEquals(200, readStatus(in), "the kept-alive connection was not served");
            Eventually.until("the idle timeout to close the connection", IDLE.plus(BOUND),
                    () -> closedByServer(socket));
        }
    }

    /** The largest AdmissionReview the API server sends for a pod, sent at once, is answered. */
    @Test
    void aThreeMebibyteReviewSentAtOnceIsAnswered() throws Exception {
        ObjectNode pod = pod("big", 8080);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("filler", "x".repeat(3 * 1024 * 1024));
        HttpResponse<byte[]> response = client().fresh().post(Reviews.podCreate("default", pod).toString());
        assertEquals(200, response.statusCode());
    }

    /** Sends a start, then one more byte every 300 ms — far less than any timeout — until the server closes. */
    private static final class Trickle implements AutoCloseable {

        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile int sent;

        Trickle(SSLSocket socket, String start) {
            thread = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(start.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    sent = start.length();
                    while (!stop.get()) {
                        Thread.sleep(300);
                        out.write('a');
                        out.flush();
                        sent++;
                    }
                } catch (IOException | InterruptedException closedOrStopped) {
                    // The server closed the connection, or the test is over.
                }
            }, "trickle");
            thread.start();
        }

        int sent() {
            return sent;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
