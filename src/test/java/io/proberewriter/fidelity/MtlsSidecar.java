package io.proberewriter.fidelity;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A mesh sidecar in front of the app's port, as the seeds describe it: it listens on the pod IP, accepts only
 * TLS connections that present a certificate from the mesh CA, and forwards what it receives to the app on
 * loopback. The kubelet, which has no mesh certificate, is refused; a process inside the pod that calls
 * localhost reaches the app directly.
 */
final class MtlsSidecar implements AutoCloseable {

    private final SSLServerSocket server;
    private final InetSocketAddress app;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mtls-sidecar");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param podIp   the address standing in for the pod IP, where the kubelet connects
     * @param port    the app's port, intercepted on the pod IP
     * @param app     where the app really listens (loopback)
     * @param keys    the sidecar's own certificate and key
     * @param trust   the mesh identities it accepts; nothing else gets through
     */
    MtlsSidecar(InetAddress podIp, int port, InetSocketAddress app, KeyStore keys, char[] password, KeyStore trust)
            throws Exception {
        this.app = app;
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        server.setNeedClientAuth(true);
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(podIp, port));
        workers.submit(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                workers.submit(() -> forward(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Handshake (which fails for a client without a mesh certificate), then copy both ways. */
    private void forward(Socket client) {
        try (client; Socket upstream = new Socket()) {
            client.setSoTimeout(30_000);
            ((javax.net.ssl.SSLSocket) client).startHandshake();
            upstream.connect(app, 5_000);
            workers.submit(() -> copy(upstream, client));
            copy(client, upstream);
        } catch (IOException refused) {
            // No certificate, a certificate from another CA, or plaintext: the connection is dropped.
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException closed) {
            // Either side closed.
        }
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.close();
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }

    static boolean canBind(InetAddress address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
