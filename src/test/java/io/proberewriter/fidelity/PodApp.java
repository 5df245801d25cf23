package io.proberewriter.fidelity;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The application in the pod: it serves {@code /healthz} with a status the test sets, on its traffic port
 * (bound to loopback only; the sidecar owns that port on the pod IP) and, for port mode, on a dedicated
 * plaintext health port bound to the pod IP (not intercepted, as the seeds' liveness-http sample on 8002).
 */
final class PodApp implements AutoCloseable {

    private volatile int status = 200;
    private final HttpServer traffic;
    private final HttpServer health;

    PodApp(InetAddress podIp) throws IOException {
        traffic = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        health = start(new InetSocketAddress(podIp, 0));
    }

    private HttpServer start(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "pod-app");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/healthz", exchange -> {
            byte[] body = (status < 400 ? "ok" : "unhealthy").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    void healthy(boolean healthy) {
        status = healthy ? 200 : 500;
    }

    int trafficPort() {
        return traffic.getAddress().getPort();
    }

    int healthPort() {
        return health.getAddress().getPort();
    }

    /** The app is down: nothing listens any more. */
    void stopTraffic() {
        traffic.stop(0);
        health.stop(0);
    }

    @Override
    public void close() {
        traffic.stop(0);
        health.stop(0);
    }
}
