package io.proberewriter.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The read deadlines of one HTTPS connection, which Vert.x does not have: its only timeout is an idle timeout,
 * which a client that sends a byte now and then never meets. Like Go's {@code http.Server}:
 * <ul>
 *   <li>a request's headers must be complete within the header timeout of the TLS handshake (a new connection) or
 *       of the request's first byte (a kept-alive one);</li>
 *   <li>its body must be complete within the body timeout of its headers;</li>
 *   <li>between requests there is no deadline here: the connection waits for the next one until Vert.x's idle
 *       timeout, as a kept-alive connection should.</li>
 * </ul>
 * A connection that misses a deadline is closed. Everything runs on the connection's event loop.
 *
 * <p>Two handlers see the connection: one right behind TLS, for the first byte of each request, and one behind
 * the HTTP decoder, for the end of its headers and body. The second is put in place when the first bytes arrive:
 * Vert.x builds its HTTP handlers when the handshake completes, after this is attached.
 */
final class RequestDeadlines {

    /** Which deadline a connection missed; the metric's tag. */
    enum Missed {
        HEADERS("headers"), BODY("body");

        final String tag;

        Missed(String tag) {
            this.tag = tag;
        }
    }

    private enum Phase { HEADERS, BODY, BETWEEN_REQUESTS }

    private static final Logger LOG = Logger.getLogger(RequestDeadlines.class);
    private static final String FIRST_BYTES = "probe-rewriter-request-start";
    private static final String MESSAGES = "probe-rewriter-request-end";
    private static final AtomicBoolean WARNED_NO_DECODER = new AtomicBoolean();

    private final Channel channel;
    private final RequestTimeouts timeouts;
    private final Consumer<Missed> onMissed;
    private Phase phase = Phase.HEADERS;
    private io.netty.util.concurrent.ScheduledFuture<?> deadline;

    private RequestDeadlines(Channel channel, RequestTimeouts timeouts, Consumer<Missed> onMissed) {
        this.channel = channel;
        this.timeouts = timeouts;
        this.onMissed = onMissed;
    }

    /**
     * Starts the deadlines of a connection whose TLS handshake has just completed; {@code tls} is its TLS handler,
     * behind which the decrypted bytes arrive.
     */
    static void attach(Channel channel, ChannelHandler tls, RequestTimeouts timeouts, Consumer<Missed> onMissed) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!channel.isActive() || pipeline.context(tls) == null) {
            return;
        }
        RequestDeadlines deadlines = new RequestDeadlines(channel, timeouts, onMissed);
        pipeline.addAfter(pipeline.context(tls).name(), FIRST_BYTES, deadlines.new FirstBytes());
        deadlines.expectHeaders();
    }

    private void expectHeaders() {
        phase = Phase.HEADERS;
        arm(timeouts.header(), Missed.HEADERS);
    }

    private void arm(Duration timeout, Missed missed) {
        disarm();
        deadline = channel.eventLoop().schedule(() -> {
            LOG.debugf("Closing the connection from %s: request %s not complete within %s", channel.remoteAddress(),
                    missed.tag, timeout);
            onMissed.accept(missed);
            channel.close();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Decrypted bytes as they arrive, before any HTTP decoding: the start of a request. */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {

        private boolean messagesWatched;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!messagesWatched) {
                messagesWatched = true;
                watchMessages(ctx.pipeline());
            }
            if (phase == Phase.BETWEEN_REQUESTS) {
                expectHeaders();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }

        private void watchMessages(ChannelPipeline pipeline) {
            ChannelHandlerContext decoder = pipeline.context(HttpRequestDecoder.class);
            if (decoder == null) {
                // Not HTTP/1.1 (HTTP/2 enabled, or Vert.x changed): without the end of each request there are no
                // safe deadlines, and closing connections that work would be worse than having none.
                disarm();
                pipeline.remove(this);
                if (WARNED_NO_DECODER.compareAndSet(false, true)) {
                    LOG.warnf("No HTTP/1.1 decoder on the HTTPS connection from %s: request header and body"
                            + " timeouts are not applied (only the idle timeout is)", channel.remoteAddress());
                }
                return;
            }
            pipeline.addAfter(decoder.name(), MESSAGES, new Messages());
        }
    }

    /** Decoded HTTP messages: the end of a request's headers, then of its body. */
    private final class Messages extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                phase = Phase.BODY;
                arm(timeouts.body(), Missed.BODY);
            }
            if (msg instanceof LastHttpContent) {
                // The request is in; answering it and waiting for the next are no deadline of ours.
                phase = Phase.BETWEEN_REQUESTS;
                disarm();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
