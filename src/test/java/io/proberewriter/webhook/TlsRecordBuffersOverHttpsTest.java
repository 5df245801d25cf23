package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.PoolArenaMetric;
import io.proberewriter.config.TlsEngine;
import io.proberewriter.transport.HttpsConnections;
import io.proberewriter.transport.TlsRecordBuffers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The TLS handler's pooled buffers over real HTTPS, with the JDK's engine ({@code tls-engine=jdk}): bodies of many
 * records arrive whole, answers leave whole, and every buffer goes back to the pool (a buffer kept per request would
 * show as one more taken from the arena each time).
 */
@QuarkusTest
@TestProfile(TlsRecordBuffersOverHttpsTest.JdkEngine.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class TlsRecordBuffersOverHttpsTest extends WebhookTestBase {

    /** The pool serves the JDK's engine, which encrypts into heap buffers; BoringSSL's uses Vert.x's direct ones. */
    public static class JdkEngine implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.webhook.tls-engine", "jdk");
        }
    }

    @Inject
    HttpsConnections connections;

    private static final int REQUESTS = 200;

    /** Eight cached buffers per event loop, a few loops, and what is in flight: far under one per request. */
    private static final long AT_MOST_TAKEN = 64;

    @Test
    void bodiesOfManyRecordsArriveWholeAndEveryBufferGoesBack() throws Exception {
        assertEquals(TlsEngine.JDK, connections.tlsEngine(), "the setting chose the JDK's engine");
        PoolArenaMetric arena = TlsRecordBuffers.heapArena();
        long handedOutBefore = arena.numAllocations();
        WebhookClient client = client();
        for (int i = 0; i < REQUESTS; i++) {
            ObjectNode pod = pod("p" + i, 8080);
            // 40 KB of annotation: the body spans three TLS records, and its bytes must come out in order.
            String filler = "x".repeat(40_000 + i);
            ((ObjectNode) pod.get("metadata")).putObject("annotations").put("example.com/filler", filler);
            HttpResponse<byte[]> http = client.post(Reviews.podCreate("default", pod).toString());
            assertEquals(200, http.statusCode(), "request " + i);
            JsonNode response = Reviews.response(http);
            assertNotNull(Reviews.patch(response), "request " + i + " was not rewritten: " + response);
            JsonNode patched = Reviews.applied(pod, response);
            assertEquals(filler, patched.path("metadata").path("annotations").path("example.com/filler").asText(),
                    "request " + i + ": the body did not arrive whole");
        }
        assertTrue(arena.numAllocations() > handedOutBefore,
                "no buffer of the pool was used: the connections do not use TlsRecordBuffers");
        assertTrue(arena.numActiveAllocations() <= AT_MOST_TAKEN, arena.numActiveAllocations()
                + " buffers still taken from the pool after " + REQUESTS + " requests: some are never released");
    }

    @Test
    void clientsThatLeaveBeforeTheAnswerGiveNoBufferAway() throws Exception {
        PoolArenaMetric arena = TlsRecordBuffers.heapArena();
        byte[] body = Reviews.podCreate("default", pod("gone", 8080)).toString().getBytes(StandardCharsets.UTF_8);
        String head = "POST " + mutate.getPath() + " HTTP/1.1\r\nHost: " + mutate.getHost() + "\r\nContent-Type: "
                + "application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        for (int i = 0; i < REQUESTS; i++) {
            SSLSocket socket = connect();
            send(socket, head);
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            // Reset, not a TLS close: the answer is written, or being written, to a connection that is gone.
            socket.setSoLinger(true, 0);
            socket.close();
        }
        // The same connections' answers are written on the event loops: one more admission waits for them.
        HttpResponse<byte[]> http = client().post(Reviews.podCreate("default", pod("after", 8080)).toString());
        assertEquals(200, http.statusCode());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (arena.numActiveAllocations() > AT_MOST_TAKEN && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(arena.numActiveAllocations() <= AT_MOST_TAKEN, arena.numActiveAllocations()
                + " buffers still taken from the pool after " + REQUESTS + " clients left before their answer");
    }
}
