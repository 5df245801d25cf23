package io.proberewriter.bench.wire;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Plays the API server over HTTPS with kept-alive HTTP/1.1 connections (Vert.x's client, trusting the serving
 * certificate as the caBundle does).
 *
 * <p>Open loop: requests are due at fixed intervals whatever the server does, and each one's latency is counted from
 * when it was due, not from when it could be sent — a server that stalls is charged for every request that should
 * have gone out meanwhile (no coordinated omission). Closed loop: each connection sends its next request as soon as
 * the previous answer is in; the throughput is the server's capacity with that many callers.
 */
final class LoadDriver implements AutoCloseable {

    /** Connections the open loop may use at once, as the API server's pool towards one webhook would. */
    private static final int OPEN_LOOP_CONNECTIONS = 16;

    /** The API server's own limit for a webhook call. */
    private static final long REQUEST_TIMEOUT_MILLIS = 10_000;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final String certificate;
    /**
     * Every request is sent from this one event loop: Vert.x's connection pool is then used from one thread, as it
     * is meant to be (sent from the scheduling thread, requests were lost in its wait queue).
     */
    private final Context context = vertx.getOrCreateContext();

    LoadDriver(String certificate) {
        this.certificate = certificate;
    }

    /** Latencies in microseconds from each request's due time to its whole answer; failures counted apart. */
    Result openLoop(int port, Buffer body, int perSecond, Duration warmUp, Duration measured) throws InterruptedException {
        HttpClient client = client(OPEN_LOOP_CONNECTIONS);
        try {
            schedule(client, port, body, perSecond, warmUp);
            return schedule(client, port, body, perSecond, measured);
        } finally {
            client.close();
        }
    }

    private Result schedule(HttpClient client, int port, Buffer body, int perSecond, Duration length)
            throws InterruptedException {
        int requests = (int) (length.toMillis() * perSecond / 1000);
        long interval = 1_000_000_000L / perSecond;
        // Up to a minute in microseconds, fixed: a histogram that resizes while event loops record into it can stall.
        Histogram latencies = new SynchronizedHistogram(60_000_000L, 3);
        AtomicLong failures = new AtomicLong();
        CountDownLatch answered = new CountDownLatch(requests);
        long start = System.nanoTime() + 1_000_000;
        for (int i = 0; i < requests; i++) {
            long due = start + i * interval;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            context.runOnContext(go -> post(client, port, body).onComplete(answer -> {
                if (answer.succeeded()) {
                    latencies.recordValue(Math.min(60_000_000L, Math.max(1, (System.nanoTime() - due) / 1000)));
                } else if (failures.incrementAndGet() == 1) {
                    System.out.println("first failed request: " + answer.cause());
                }
                answered.countDown();
            }));
        }
        if (!answered.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(answered.getCount() + " requests still unanswered after a minute");
        }
        return new Result(latencies, failures.get(), requests / (length.toMillis() / 1000.0), requests, start,
                System.nanoTime());
    }

    /** Answers per second with {@code connections} callers, each sending again as soon as it has its answer. */
    Result closedLoop(int port, Buffer body, int connections, Duration warmUp, Duration measured)
            throws InterruptedException {
        HttpClient client = client(connections);
        AtomicLong answered = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch stopped = new CountDownLatch(connections);
        boolean[] running = {true};
        try {
            for (int i = 0; i < connections; i++) {
                context.runOnContext(go -> loop(client, port, body, answered, failures, running, stopped));
            }
            Thread.sleep(warmUp.toMillis());
            long before = answered.get();
            long start = System.nanoTime();
            failures.set(0);
            Thread.sleep(measured.toMillis());
            long count = answered.get() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            synchronized (running) {
                running[0] = false;
            }
            stopped.await(60, TimeUnit.SECONDS);
            return new Result(null, failures.get(), count / seconds, count, start, System.nanoTime());
        } finally {
            client.close();
        }
    }

    private void loop(HttpClient client, int port, Buffer body, AtomicLong answered, AtomicLong failures,
                      boolean[] running, CountDownLatch stopped) {
        post(client, port, body).onComplete(answer -> {
            if (answer.succeeded()) {
                answered.incrementAndGet();
            } else {
                failures.incrementAndGet();
            }
            boolean again;
            synchronized (running) {
                again = running[0];
            }
            if (again) {
                loop(client, port, body, answered, failures, running, stopped);
            } else {
                stopped.countDown();
            }
        });
    }

    /** One request on a new connection: the answer's body, or a failure (no connection yet, or not HTTP 200). */
    Future<Buffer> postOnce(int port, Buffer body) {
        HttpClient client = client(1);
        return post(client, port, body).eventually(() -> client.close());
    }

    private static Future<Buffer> post(HttpClient client, int port, Buffer body) {
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
                        .setURI("/mutate").putHeader("Content-Type", "application/json")
                        .setTimeout(REQUEST_TIMEOUT_MILLIS))
                .compose(request -> request.send(body))
                .compose(response -> response.statusCode() == 200 ? response.body()
                        : Future.failedFuture("HTTP " + response.statusCode()));
    }

    private HttpClient client(int connections) {
        HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(true).setKeepAlive(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(certificate))
                .setConnectTimeout(2_000).setIdleTimeout(0);
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections));
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /**
     * Latencies (microseconds; none for the closed loop), failed requests, requests per second, and the requests and
     * {@link System#nanoTime()} span measured.
     */
    record Result(Histogram latencies, long failures, double perSecond, long requests, long startNanos,
                  long endNanos) {

        double millis(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMillis() {
            return latencies.getMaxValue() / 1000.0;
        }
    }
}
