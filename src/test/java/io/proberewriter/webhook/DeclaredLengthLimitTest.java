package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limit on the body is the largest body accepted, not the first refused: a body that declares exactly the limit
 * is admitted, one byte more is 413 from the declared length alone. On the route alone with a limit of a few KiB,
 * so that the edge is cheap to reach (BadRequestTest covers the installed limit over HTTPS).
 */
class DeclaredLengthLimitTest {

    private static final int LIMIT = 4096;

    private Vertx vertx;
    private URI mutate;

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(new SimpleMeterRegistry()));
        MutateRoute route = new MutateRoute(controller, vertx, new SimpleMeterRegistry(), LIMIT,
                new RequestMemoryBudget(64 * 1024 * 1024, 64 * 1024 * 1024));
        Router router = Router.router(vertx);
        route.register(router);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        mutate = URI.create("http://127.0.0.1:" + server.actualPort() + MutateRoute.PATH);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBodyOfExactlyTheLimitIsAdmittedAndOneByteMoreIsNot() throws Exception {
        String review = Reviews.podCreate("default", Reviews.JSON.readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app"}]}}
                """)).toString();

        HttpResponse<byte[]> atTheLimit = post(padded(review, LIMIT));
        assertEquals(200, atTheLimit.statusCode(), new String(atTheLimit.body(), StandardCharsets.UTF_8));
        JsonNode response = Reviews.response(atTheLimit);
        assertEquals(Reviews.JSON.readTree(review).at("/request/uid").asText(), response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean(), response.toString());

        HttpResponse<byte[]> overTheLimit = post(padded(review, LIMIT + 1));
        assertEquals(413, overTheLimit.statusCode());
        assertTrue(new String(overTheLimit.body(), StandardCharsets.UTF_8)
                .startsWith("request body larger than " + LIMIT + " bytes"));
    }

    /** The review followed by spaces (JSON whitespace) up to {@code length} bytes. */
    private static byte[] padded(String review, int length) {
        byte[] json = review.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, length);
        Arrays.fill(body, json.length, length, (byte) ' ');
        return body;
    }

    private HttpResponse<byte[]> post(byte[] body) throws Exception {
        // A fresh client each time: the 413 closes its connection.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return http.send(HttpRequest.newBuilder(mutate).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
