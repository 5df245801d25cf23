package io.proberewriter.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The count of open connections, by address too, and what happens to one over the limit. */
class ConnectionLimitTest {

    private static final InetAddress POD = address("10.1.0.7");
    private static final InetAddress API_SERVER = address("10.0.0.1");

    private final AtomicInteger refused = new AtomicInteger();
    private final ConnectionLimit limit = new ConnectionLimit(2, refused::incrementAndGet, System::nanoTime);

    @Test
    void aConnectionOverTheLimitIsClosedAndCountedAndAPlaceFreedIsTakenAgain() {
        EmbeddedChannel first = connection(POD);
        EmbeddedChannel second = connection(POD);
        assertTrue(limit.admit(first));
        assertTrue(limit.admit(second));
        assertEquals(2, limit.open());
        assertEquals(2, limit.openFrom(POD));

        EmbeddedChannel third = connection(API_SERVER);
        assertFalse(limit.admit(third));
        assertFalse(third.isOpen(), "a refused connection is closed");
        assertEquals(1, refused.get());
        assertEquals(2, limit.open(), "a refusal takes no place");
        assertEquals(0, limit.openFrom(API_SERVER));

        first.close();
        assertEquals(1, limit.open(), "closing gives the place back");
        assertEquals(1, limit.openFrom(POD));
        EmbeddedChannel again = connection(API_SERVER);
        assertTrue(limit.admit(again));
        assertEquals(1, limit.openFrom(API_SERVER));
        assertTrue(again.isOpen());
        assertEquals(1, refused.get());

        second.close();
        again.close();
        assertEquals(0, limit.open());
        assertEquals(0, limit.openFrom(POD));
    }

    @Test
    void aConnectionWithoutAnInternetAddressCountsToo() {
        assertTrue(limit.admit(new EmbeddedChannel()));
        assertTrue(limit.admit(new EmbeddedChannel()));
        assertFalse(limit.admit(new EmbeddedChannel()));
        assertEquals(2, limit.open());
    }

    /** A connection as the server sees it, from {@code peer}. */
    private static EmbeddedChannel connection(InetAddress peer) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(peer, 40_000);
            }
        };
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
