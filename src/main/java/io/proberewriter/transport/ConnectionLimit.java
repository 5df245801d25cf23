package io.proberewriter.transport;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * At most {@code probe-rewriter.webhook.max-connections} HTTPS connections open at once. The port must accept
 * connections from anywhere (the API server's address depends on the cluster), so any pod can open them, and an
 * idle TLS connection holds about 17 KiB of the process's memory (docs/benchmarks.md): without a bound, a client
 * that opens connections and sends a request on each now and then takes the replica to its memory limit, and the
 * kubelet kills it. The API server needs a few dozen. A connection over the limit is closed as soon as its handshake
 * completes, before it is read, and counted; the log names the address holding the most connections, since that is
 * what an operator must find, at most once per {@link #LOG_INTERVAL_NANOS}.
 *
 * <p>Called on each connection's event loop; the counts are shared by all of them.
 */
final class ConnectionLimit {

    private static final Logger LOG = Logger.getLogger(ConnectionLimit.class);
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final int max;
    private final Runnable onRefused;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, Integer> openByPeer = new ConcurrentHashMap<>();
    private final OncePerInterval refusalLogged;

    ConnectionLimit(int max, Runnable onRefused, LongSupplier nanoClock) {
        this.max = max;
        this.onRefused = onRefused;
        this.refusalLogged = new OncePerInterval(LOG_INTERVAL_NANOS, nanoClock);
    }

    /**
     * Takes a place for a connection whose handshake has just completed, and gives it back when the connection
     * closes; closes the connection instead when every place is taken. True when it was admitted.
     */
    boolean admit(Channel channel) {
        InetAddress peer = peer(channel.remoteAddress());
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            onRefused.run();
            logRefusal(channel.remoteAddress());
            channel.close();
            return false;
        }
        if (peer != null) {
            openByPeer.merge(peer, 1, Integer::sum);
        }
        channel.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            if (peer != null) {
                openByPeer.computeIfPresent(peer, (p, n) -> n == 1 ? null : n - 1);
            }
        });
        return true;
    }

    /** Connections admitted and not yet closed. */
    int open() {
        return open.get();
    }

    /** Connections admitted and not yet closed from one address. */
    int openFrom(InetAddress peer) {
        return openByPeer.getOrDefault(peer, 0);
    }

    private void logRefusal(SocketAddress from) {
        if (!refusalLogged.first()) {
            return;
        }
        Map.Entry<InetAddress, Integer> most = null;
        for (Map.Entry<InetAddress, Integer> entry : openByPeer.entrySet()) {
            if (most == null || entry.getValue() > most.getValue()) {
                most = entry;
            }
        }
        LOG.warnf("Refused an HTTPS connection from %s: %d connections are open, the most"
                + " probe-rewriter.webhook.max-connections allows; the address with the most is %s (%d)."
                + " The API server needs a few dozen: find what holds the rest (refusals counted in"
                + " probe_rewriter_connections_refused_total, logged at most every 10 s)", display(from), max,
                most == null ? "none" : most.getKey().getHostAddress(), most == null ? 0 : most.getValue());
    }

    private static String display(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
    }

    private static InetAddress peer(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
