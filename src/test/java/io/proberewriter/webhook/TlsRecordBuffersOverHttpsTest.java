package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.PoolArenaMetric;
import io.proberewriter.transport.TlsRecordBuffers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The TLS handler's pooled buffers over real HTTPS: bodies of many records arrive whole, answers leave whole, and
 * every buffer goes back to the pool (a buffer kept per request would show as one more taken from the arena each
 * time).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class TlsRecordBuffersOverHttpsTest extends WebhookTestBase {

    private static final int REQUESTS = 200;

    /** Eight cached buffers per event loop, a few loops, and what is in flight: far under one per request. */
    private static final long AT_MOST_TAKEN = 64;

    @Test
    void bodiesOfManyRecordsArriveWholeAndEveryBufferGoesBack() throws Exception {
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
}
