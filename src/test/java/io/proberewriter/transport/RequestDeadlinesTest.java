package io.proberewriter.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deadlines of one connection on a clock of its own: a pipeline shaped like Vert.x's (TLS, then the HTTP/1.1
 * decoder), and time advanced by hand. Header timeout 10 s, body timeout 30 s.
 */
class RequestDeadlinesTest {

    private static final String REQUEST = "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";

    private final List<RequestDeadlines.Missed> missed = new ArrayList<>();
    private EmbeddedChannel channel;
    private final ChannelHandler tls = new ChannelInboundHandlerAdapter();

    @BeforeEach
    void handshakeCompleted() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast("ssl", tls);
        channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
        RequestDeadlines.attach(channel, tls, new RequestTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
                missed::add);
    }

    private void receive(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private void wait(int seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aNewConnectionMustCompleteItsHeadersWithinTheHeaderTimeoutOfTheHandshake() {
        wait(9);
        assertTrue(channel.isOpen());
        receive("POST /mutate HTTP/1.1\r\nHo");
        wait(2);
        assertFalse(channel.isOpen(), "headers begun at 9 s and still incomplete at 11 s");
        assertEquals(List.of(RequestDeadlines.Missed.HEADERS), missed);
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAtTheHeaderTimeout() {
        wait(11);
        assertFalse(channel.isOpen());
        assertEquals(List.of(RequestDeadlines.Missed.HEADERS), missed);
    }

    @Test
    void aBodyMustFollowItsHeadersWithinTheBodyTimeout() {
        receive("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":");
        wait(29);
        receive("\"b");
        assertTrue(channel.isOpen(), "closed before the body timeout");
        wait(2);
        assertFalse(channel.isOpen(), "a body still incomplete 31 s after its headers");
        assertEquals(List.of(RequestDeadlines.Missed.BODY), missed);
    }

    @Test
    void betweenRequestsThereIsNoDeadlineAndTheNextRequestStartsItsOwn() {
        receive(REQUEST);
        wait(600);
        assertTrue(channel.isOpen(), "a kept-alive connection was closed between requests");
        receive("POST /mu");
        wait(9);
        assertTrue(channel.isOpen());
        wait(2);
        assertFalse(channel.isOpen(), "the next request's headers, begun 11 s ago, were not cut off");
        assertEquals(List.of(RequestDeadlines.Missed.HEADERS), missed);
    }

    @Test
    void completeRequestsAreNeverCutOff() {
        for (int i = 0; i < 5; i++) {
            receive(REQUEST);
            wait(45);
        }
        assertTrue(channel.isOpen());
        assertEquals(List.of(), missed);
        assertEquals(10, channel.inboundMessages().size(), "each request reaches Vert.x: headers and body");
    }

    @Test
    void withoutAnHttp1DecoderNothingIsCutOff() {
        EmbeddedChannel http2 = new EmbeddedChannel();
        http2.freezeTime();
        ChannelHandler tls2 = new ChannelInboundHandlerAdapter();
        http2.pipeline().addLast("ssl", tls2);
        RequestDeadlines.attach(http2, tls2, new RequestTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
                missed::add);
        http2.writeInbound(Unpooled.copiedBuffer("PRI * HTTP/2.0", StandardCharsets.US_ASCII));
        http2.advanceTimeBy(60, TimeUnit.SECONDS);
        http2.runScheduledPendingTasks();
        assertTrue(http2.isOpen(), "deadlines that cannot see the end of a request must not close connections");
        assertEquals(List.of(), missed);
    }
}
