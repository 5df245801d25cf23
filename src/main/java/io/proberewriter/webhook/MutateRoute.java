package io.proberewriter.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.proberewriter.transport.OncePerInterval;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The transport: the API server POSTs an AdmissionReview to {@code /mutate} over HTTPS, and gets back whatever the
 * {@link AdmissionController} answers. This class only moves bytes: it collects the body up to the size limit (413
 * beyond it) and writes the answer. Quarkus' own limit check refuses a declared length over the limit before this
 * route runs; the route checks it again because it sizes its array from that header.
 *
 * <p>It is a plain Vert.x route rather than a REST resource, and a typical admission is answered on the event loop
 * that read it. Over the wire (docs/benchmarks.md), the hop to a worker thread and back and the REST layer's own
 * per-request work were a large share of the difference between this webhook and a do-nothing server on the same
 * stack. The controller's work for a pod of tens of KiB is tens of microseconds and never blocks (every cluster read
 * is from an informer's cache). Bodies above {@value #LARGEST_INLINE_BODY} bytes go to a worker pool of their own: a
 * pod of several MiB takes milliseconds, which must not hold up the other connections of the event loop.
 *
 * <p>What requests in flight may hold of the heap is bounded ({@link RequestMemoryBudget}): a body is refused with 429
 * when the bodies' budget cannot hold it, and a large body waits for its working set before it is handled, while the
 * caller's deadline leaves time to handle it ({@link CallerDeadline}; {@value #WORKING_SET_WAIT_MILLIS} ms when it
 * gives none), and is refused with 429 after that; a caller that has given up meanwhile is not answered. Every 429
 * carries {@code Retry-After}.
 */
@Singleton
public class MutateRoute {

    static final String PATH = "/mutate";

    /** Largest body answered on the event loop; a Deployment-made pod is about 20 KiB. */
    static final int LARGEST_INLINE_BODY = 64 * 1024;

    /** Threads handling large bodies: they wait in turn for the working sets' budget, so a few are enough. */
    static final int LARGE_BODY_THREADS = 4;

    /**
     * Longest wait for a large body's working set, when the caller gives no deadline ({@link CallerDeadline}): the
     * API server's default timeout (10 s; the install's is 5 s).
     */
    static final long WORKING_SET_WAIT_MILLIS = 10_000;

    /**
     * What the caller's deadline must leave for the handling of a large body once its working set is held: the
     * largest pods take some hundreds of milliseconds, and the API server rounds its deadline up to whole seconds.
     */
    static final long LARGE_BODY_HANDLING_MILLIS = 1_000;

    /** Seconds a refused caller is told to wait: client-go, which the API server calls webhooks with, then retries. */
    static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger LOG = Logger.getLogger(MutateRoute.class);

    private static final long REFUSAL_LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final AdmissionController controller;
    private final long maxBodyBytes;
    private final RequestMemoryBudget budget;
    private final WorkerExecutor largeBodies;
    private final Counter bodiesRefused;
    private final Counter workingSetsRefused;

    /*
     * When each budget's refusal was last logged: a burst of large pods refuses hundreds a second, each retried by the
     * API server a second later, and a line each would drown the log; the counters count every one.
     */
    private final OncePerInterval bodyRefusalLogged =
            new OncePerInterval(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);
    private final OncePerInterval workingSetRefusalLogged =
            new OncePerInterval(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);

    @Inject
    MutateRoute(AdmissionController controller, Vertx vertx, MeterRegistry registry,
                @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this(controller, vertx, registry, maxBodySize.asLongValue(),
                RequestMemoryBudget.ofHeap(Runtime.getRuntime().maxMemory()));
    }

    /** With the budget given, for tests of the route alone. */
    MutateRoute(AdmissionController controller, Vertx vertx, MeterRegistry registry, long maxBodyBytes,
                RequestMemoryBudget budget) {
        this.controller = controller;
        this.maxBodyBytes = maxBodyBytes;
        this.budget = budget;
        this.largeBodies = vertx.createSharedWorkerExecutor("probe-rewriter-large-bodies", LARGE_BODY_THREADS);
        this.bodiesRefused = refusals(registry, "bodies");
        this.workingSetsRefused = refusals(registry, "working-sets");
        Gauge.builder("probe_rewriter_request_memory_held_bytes", budget, RequestMemoryBudget::bodyBytesHeld)
                .description("Heap held by requests in flight, by budget").tag("budget", "bodies").register(registry);
        Gauge.builder("probe_rewriter_request_memory_held_bytes", budget, RequestMemoryBudget::workingSetBytesHeld)
                .description("Heap held by requests in flight, by budget").tag("budget", "working-sets")
                .register(registry);
        LOG.debugf("Request memory budget: %d bytes of bodies, %d bytes of working sets", budget.bodyBudgetBytes(),
                budget.workingSetBudgetBytes());
    }

    private static Counter refusals(MeterRegistry registry, String budget) {
        return Counter.builder("probe_rewriter_overloaded_requests")
                .description("Requests answered with 429 because a memory budget could not hold them")
                .tag("budget", budget).register(registry);
    }

    void register(@Observes Router router) {
        router.post(PATH).handler(this::receive);
    }

    private void receive(RoutingContext context) {
        long arrived = System.nanoTime();
        HttpServerRequest request = context.request();
        long declared = declaredLength(request);
        if (declared > maxBodyBytes) {
            tooLarge(request);
            return;
        }
        LargeBody large = new LargeBody(context);
        if (declared > LARGEST_INLINE_BODY && !large.hold(declared)) {
            refuseBody(request, declared);
            request.resume();
            return;
        }
        BodyCollector body = new BodyCollector(declared, maxBodyBytes);
        request.handler(chunk -> {
            if (!body.add(chunk)) {
                request.handler(null);
                tooLarge(request);
            } else if (body.capacity() > LARGEST_INLINE_BODY && !large.hold(body.capacity())) {
                body.discard();
                refuseBody(request, body.capacity());
            }
        });
        request.endHandler(ended -> {
            if (!body.overLimit() && !context.response().ended()) {
                answer(request, arrived, body.bytes());
            }
        });
        // A connection that breaks mid-body has no one left to answer; Vert.x closes it.
        request.exceptionHandler(e -> LOG.debugf("Admission request body not received: %s", e.toString()));
        request.resume();
    }

    private void answer(HttpServerRequest request, long arrived, byte[] body) {
        HttpServerResponse response = request.response();
        if (body.length <= LARGEST_INLINE_BODY) {
            write(response, controller.handle(body));
            return;
        }
        String timeout = request.getParam("timeout");
        largeBodies.executeBlocking(() -> {
            long elapsedMillis = (System.nanoTime() - arrived) / 1_000_000;
            return handleLarge(response, body, CallerDeadline.waitMillis(timeout, elapsedMillis,
                    LARGE_BODY_HANDLING_MILLIS, WORKING_SET_WAIT_MILLIS));
        }, false).onComplete(done -> write(response, done));
    }

    /**
     * On a large-body thread: the body's working set first, waited for in turn while the caller's deadline leaves
     * time to handle it, then the admission.
     */
    private AdmissionAnswer handleLarge(HttpServerResponse response, byte[] body, long waitMillis)
            throws InterruptedException {
        try (RequestMemoryBudget.Held workingSet = budget.reserveWorkingSet(body.length, waitMillis)) {
            if (workingSet == null) {
                workingSetsRefused.increment();
                if (workingSetRefusalLogged.first()) {
                    LOG.warnf("Refused a request of %d bytes with 429: the working sets' budget of %d bytes stayed"
                            + " full for the %d ms its caller's deadline left it (refusals counted in"
                            + " probe_rewriter_overloaded_requests_total, logged at most every 10 s)", body.length,
                            budget.workingSetBudgetBytes(), waitMillis);
                }
                return AdmissionAnswer.text(429, "the webhook is handling as many large requests as its memory "
                        + "budget of " + budget.workingSetBudgetBytes() + " bytes allows; try again\n");
            }
            if (response.closed()) {
                // The caller gave up while this body waited (its timeout): nothing would read the answer.
                return AdmissionAnswer.text(503, "the caller is gone\n");
            }
            return controller.handle(body);
        }
    }

    private static void write(HttpServerResponse response, AsyncResult<AdmissionAnswer> done) {
        if (done.succeeded()) {
            write(response, done.result());
        } else {
            // Only a worker pool that refuses work (the server is stopping) ends here: the controller itself
            // answers every request, its own failures included.
            LOG.warnf("Admission not handled: %s", done.cause().toString());
            write(response, AdmissionAnswer.text(503, "the webhook is stopping; try again\n"));
        }
    }

    private static Future<Void> write(HttpServerResponse response, AdmissionAnswer answer) {
        if (response.closed()) {
            return Future.succeededFuture(); // the API server gave up waiting (its timeout) and closed the connection
        }
        if (answer.status() == 429) {
            response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.setStatusCode(answer.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType())
                .end(Buffer.buffer(Unpooled.wrappedBuffer(answer.body())));
    }

    /**
     * The reservation of a body over {@value #LARGEST_INLINE_BODY} bytes, taken when it is known to be one: from its
     * declared length, or once a body of no declared length grows past it. Smaller bodies are answered on the event
     * loop as they complete and hold no reservation: their memory is bounded by the connections and the header and
     * body timeouts, and a flood of large pods does not refuse them.
     */
    private final class LargeBody {
        private final RoutingContext context;
        private RequestMemoryBudget.Body held;

        LargeBody(RoutingContext context) {
            this.context = context;
        }

        /**
         * Holds {@code bytes} in all; false when the budget cannot. Called on the event loop only. The first
         * reservation registers its release, so that an ordinary request registers nothing: answered, refused or
         * cut off, a large body's bytes are released whichever way the request ends.
         */
        boolean hold(long bytes) {
            if (held == null) {
                RequestMemoryBudget.Body reserved = budget.reserveBody(bytes);
                if (reserved == null) {
                    return false;
                }
                held = reserved;
                context.addEndHandler(ended -> reserved.close());
                return true;
            }
            return held.grow(bytes);
        }
    }

    /**
     * Refused for want of memory: the rest of the body is read and dropped, then 429 is answered. Not answered at
     * once and the connection closed, as for a body over the limit: a client still sending would have the
     * connection reset under it and never read the answer, and the body's bytes cost nothing once dropped.
     */
    private void refuseBody(HttpServerRequest request, long bytes) {
        bodiesRefused.increment();
        if (bodyRefusalLogged.first()) {
            LOG.warnf("Refused a request of %d bytes or more with 429: the large bodies in flight fill the budget of"
                    + " %d bytes (refusals counted in probe_rewriter_overloaded_requests_total, logged at most every"
                    + " 10 s)", bytes, budget.bodyBudgetBytes());
        }
        String why = "the large bodies in flight fill the webhook's budget of " + budget.bodyBudgetBytes()
                + " bytes; try again\n";
        request.handler(dropped -> { });
        request.endHandler(ended -> {
            HttpServerResponse response = request.response();
            if (!response.ended() && !response.closed()) {
                write(response, AdmissionAnswer.text(429, why));
            }
        });
    }

    /** The rest of the body is not read: the connection is closed once the answer is written. */
    private void tooLarge(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.putHeader(HttpHeaders.CONNECTION, "close");
        write(response, AdmissionAnswer.text(413, "request body larger than " + maxBodyBytes
                + " bytes (probe-rewriter.webhook.max-body-size)\n"))
                .onComplete(written -> request.connection().close());
    }

    /** The Content-Length, or -1 when there is none (chunked) or it is not a number (then HTTP itself refuses it). */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The body's bytes, gathered into one array: of the declared length when there is one (one copy from the
     * network's buffers, none later), growing by doubling when the body is chunked. Stops at the limit.
     */
    static final class BodyCollector {
        /** The array for a body that declares no length, doubled as it grows. */
        static final int FIRST_CHUNKED = 16 * 1024;

        private final long limit;
        private byte[] bytes;
        private int size;
        private boolean overLimit;

        BodyCollector(long declared, long limit) {
            this.limit = limit;
            this.bytes = new byte[declared >= 0 ? (int) declared : FIRST_CHUNKED];
        }

        /** False once the body is over the limit; nothing is kept from then on. */
        boolean add(Buffer chunk) {
            if (overLimit) {
                return false;
            }
            int length = chunk.length();
            if ((long) size + length > limit) {
                overLimit = true;
                bytes = null;
                return false;
            }
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(2L * bytes.length,
                        (long) size + length)));
            }
            chunk.getBytes(0, length, bytes, size);
            size += length;
            return true;
        }

        boolean overLimit() {
            return overLimit;
        }

        /** Keeps nothing more: the body is refused, and what arrives from now on is dropped. */
        void discard() {
            overLimit = true;
            bytes = null;
        }

        /** The bytes the array holds room for: what the body costs in the heap. */
        long capacity() {
            return bytes == null ? 0 : bytes.length;
        }

        /** What arrived: a body that came short of its declared length is judged like any other body. */
        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
