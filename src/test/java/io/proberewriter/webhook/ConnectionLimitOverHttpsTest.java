package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * {@code probe-rewriter.webhook.max-connections} over real HTTPS: with three connections open, a fourth is closed
 * unanswered and counted, while the three keep being served; one closed, a new one is served again.
 */
@QuarkusTest
@TestProfile(ConnectionLimitOverHttpsTest.ThreeConnections.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class ConnectionLimitOverHttpsTest extends WebhookTestBase {

    public static class ThreeConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.webhook.max-connections", "3");
        }
    }

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String OPEN = "probe_rewriter_https_connections";
    private static final String REFUSED = "probe_rewriter_connections_refused_total";

    @Test
    void aConnectionOverTheLimitIsClosedWhileTheOthersAreServed() throws Exception {
        List<SSLSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                SSLSocket socket = connect();
                held.add(socket);
                assertEquals(200, admit(socket));
            }
            assertEquals(3.0, metric(OPEN));
            double refusedBefore = metric(REFUSED);

            try (SSLSocket over = connect()) {
                Eventually.until("the server to close the connection over the limit", PATIENCE,
                        () -> closedByServer(over));
            }
            assertEquals(refusedBefore + 1, metric(REFUSED));
            assertEquals(200, admit(held.get(0)), "a connection under the limit stopped being served");

            held.remove(0).close();
            Eventually.until("the closed connection's place to be free", PATIENCE, () -> open() == 2.0);
            SSLSocket again = connect();
            held.add(again);
            assertEquals(200, admit(again), "a freed place was not given to a new connection");
            assertEquals(refusedBefore + 1, metric(REFUSED));
        } finally {
            for (SSLSocket socket : held) {
                socket.close();
            }
        }
    }

    private double open() {
        try {
            return metric(OPEN);
        } catch (Exception e) {
            throw new IllegalStateException("the metrics could not be read", e);
        }
    }

    private static int admit(SSLSocket socket) throws Exception {
        String body = Reviews.podCreate("default", pod("p", 8080)).toString();
        send(socket, "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        return readStatus(socket.getInputStream());
    }
}
