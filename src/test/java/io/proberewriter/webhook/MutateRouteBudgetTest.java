package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.polling.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route's side of the memory budget, on a plain Vert.x server: a large body the bodies' budget cannot hold is
 * read to its end and answered with 429 and {@code Retry-After} (a caller still sending reads the answer, where
 * closing at once would reset the connection under it), counted, and holds nothing afterwards; the same for a body
 * of no declared length once it grows past what the budget holds. A large body waits for its working set no longer
 * than the caller's deadline allows.
 */
class MutateRouteBudgetTest {

    static final int LARGE = 512 * 1024;

    Vertx vertx;
    HttpServer server;
    SimpleMeterRegistry registry;
    RequestMemoryBudget budget;
    URI mutate;

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
        budget = new RequestMemoryBudget(256 * 1024, 64 * 1024 * 1024);
        // No controller: nothing here is handled, only refused.
        MutateRoute route = new MutateRoute(null, vertx, registry, 7 * 1024 * 1024, budget);
        Router router = Router.router(vertx);
        route.register(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        mutate = URI.create("http://127.0.0.1:" + server.actualPort() + MutateRoute.PATH);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Another large body in flight, holding most of the budget. */
    static final int HELD_ELSEWHERE = 200 * 1024;

    @Test
    void aLargeBodyTheBudgetCannotHoldIsReadAndAnswered429() throws Exception {
        budget.reserveBody(HELD_ELSEWHERE);
        HttpResponse<String> answer = post(HttpRequest.BodyPublishers.ofByteArray(new byte[LARGE]));

        assertEquals(429, answer.statusCode(), answer.body());
        assertEquals("1", answer.headers().firstValue("Retry-After").orElse(""));
        assertTrue(answer.body().startsWith("the large bodies in flight fill the webhook's budget of 262144 bytes"),
                answer.body());
        assertEquals(1.0, registry.counter("probe_rewriter_overloaded_requests", "budget", "bodies").count());
        // Released by the request's end handler, which may run just after the answer reached the client.
        Eventually.until("a refused body holds nothing", Duration.ofSeconds(5),
                () -> budget.bodyBytesHeld() == HELD_ELSEWHERE);
    }

    @Test
    void refusalsInABurstAreCountedEachButLoggedOnce() throws Exception {
        // A burst of large pods refuses hundreds a second, retried a second later: a line each would drown the log.
        budget.reserveBody(HELD_ELSEWHERE);
        try (LogCapture log = LogCapture.of(MutateRoute.class)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(429, post(HttpRequest.BodyPublishers.ofByteArray(new byte[LARGE])).statusCode());
            }
            assertEquals(1, log.messages(Level.WARNING).size(), log.toString());
            assertTrue(log.has(Level.WARNING, "logged at most every 10 s"), log.toString());
        }
        assertEquals(20.0, registry.counter("probe_rewriter_overloaded_requests", "budget", "bodies").count());
    }

    @Test
    void aChunkedBodyIsRefusedOnceItOutgrowsTheBudget() throws Exception {
        budget.reserveBody(HELD_ELSEWHERE);
        // ofInputStream has no known length: the client sends it chunked.
        HttpResponse<String> answer = post(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(new byte[LARGE])));

        assertEquals(429, answer.statusCode(), answer.body());
        assertEquals(1.0, registry.counter("probe_rewriter_overloaded_requests", "budget", "bodies").count());
        Eventually.until("what the body held while it grew is given back", Duration.ofSeconds(5),
                () -> budget.bodyBytesHeld() == HELD_ELSEWHERE);
    }

    @Test
    void aLargeBodyWaitsForItsWorkingSetOnlyAsLongAsTheCallersDeadlineAllows() throws Exception {
        // Every working set is held elsewhere: the body would wait 10 s without a deadline; the API server's
        // timeout=2s leaves 1 s once its handling is set aside, and it is then refused, in time to be read.
        try (RequestMemoryBudget.Held elsewhere = budget.reserveWorkingSet(Long.MAX_VALUE / 64, 0)) {
            long started = System.nanoTime();
            HttpResponse<String> answer = post(URI.create(mutate + "?timeout=2s"),
                    HttpRequest.BodyPublishers.ofByteArray(new byte[100 * 1024]));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertEquals(429, answer.statusCode(), answer.body());
            assertEquals("1", answer.headers().firstValue("Retry-After").orElse(""));
            assertTrue(answer.body().startsWith("the webhook is handling as many large requests as its memory budget"),
                    answer.body());
            assertTrue(tookMillis < 2_000, "answered after " + tookMillis + " ms, past the caller's deadline");
            assertEquals(1.0, registry.counter("probe_rewriter_overloaded_requests", "budget", "working-sets").count());
        }
    }

    private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return post(mutate, body);
    }

    private HttpResponse<String> post(URI uri, HttpRequest.BodyPublisher body) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }
}
