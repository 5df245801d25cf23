package io.proberewriter.webhook;

import io.netty.buffer.Unpooled;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
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
 * is from an informer's cache). Bodies above {@value #LARGEST_INLINE_BODY} bytes go to the worker pool: a pod of
 * several MiB takes milliseconds, which must not hold up the other connections of the event loop.
 */
@Singleton
public class MutateRoute {

    static final String PATH = "/mutate";

    /** Largest body answered on the event loop; a Deployment-made pod is about 20 KiB. */
    static final int LARGEST_INLINE_BODY = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(MutateRoute.class);

    private final AdmissionController controller;
    private final Vertx vertx;
    private final long maxBodyBytes;

    MutateRoute(AdmissionController controller, Vertx vertx,
                @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.controller = controller;
        this.vertx = vertx;
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Router router) {
        router.post(PATH).handler(this::receive);
    }

    private void receive(RoutingContext context) {
        HttpServerRequest request = context.request();
        long declared = declaredLength(request);
        if (declared > maxBodyBytes) {
            tooLarge(request);
            return;
        }
        BodyCollector body = new BodyCollector(declared, maxBodyBytes);
        request.handler(chunk -> {
            if (!body.add(chunk)) {
                request.handler(null);
                tooLarge(request);
            }
        });
        request.endHandler(ended -> {
            if (!body.overLimit()) {
                answer(context.response(), body.bytes());
            }
        });
        // A connection that breaks mid-body has no one left to answer; Vert.x closes it.
        request.exceptionHandler(e -> LOG.debugf("Admission request body not received: %s", e.toString()));
        request.resume();
    }

    private void answer(HttpServerResponse response, byte[] body) {
        if (body.length <= LARGEST_INLINE_BODY) {
            write(response, controller.handle(body));
            return;
        }
        vertx.executeBlocking(() -> controller.handle(body), false)
                .onComplete(done -> write(response, done));
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
        return response.setStatusCode(answer.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType())
                .end(Buffer.buffer(Unpooled.wrappedBuffer(answer.body())));
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
        private final long limit;
        private byte[] bytes;
        private int size;
        private boolean overLimit;

        BodyCollector(long declared, long limit) {
            this.limit = limit;
            this.bytes = new byte[declared >= 0 ? (int) declared : 16 * 1024];
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

        /** What arrived: a body that came short of its declared length is judged like any other body. */
        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
