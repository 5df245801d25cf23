package io.proberewriter.fidelity;

import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.Pkcs12CertificateFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * A tiny HTTP/1.1 server on a port chosen by the OS, listening on 127.0.0.1 and, when the machine has it, on ::1
 * with the same port (an exec probe aims at {@code localhost}, which may resolve to either). Each connection gets
 * one response from the case's {@link Behaviour}, then is closed. HTTPS uses a self-signed certificate; a plain server
 * answers a TLS hello with 400 Bad Request, as HTTP servers do.
 */
final class TestHttpServer implements AutoCloseable {

    /** What the server received. Header names as sent; lookups ignore case. */
    record Request(String target, List<Map.Entry<String, String>> headers) {
        List<String> all(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
        }

        String header(String name) {
            List<String> values = all(name);
            return values.isEmpty() ? null : values.get(0);
        }

        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    record Response(int status, Map<String, String> headers, byte[] body, long delayMillis) {
        static Response status(int status) {
            return new Response(status, Map.of(), ("status " + status + "\n").getBytes(StandardCharsets.UTF_8), 0);
        }

        static Response redirect(int status, String location) {
            return new Response(status, Map.of("Location", location), new byte[0], 0);
        }

        Response delayed(Duration delay) {
            return new Response(status, headers, body, delay.toMillis());
        }

        Response withBody(byte[] newBody) {
            return new Response(status, headers, newBody, delayMillis);
        }
    }

    @FunctionalInterface
    interface Behaviour {
        /** @param self the server, for redirects that name its port */
        Response respond(Request request, TestHttpServer self);
    }

    /** The first byte of a TLS handshake record, such as a ClientHello. */
    private static final int TLS_HANDSHAKE_RECORD = 0x16;
    private static final Path TLS_DIR = Path.of("target/fidelity-tls");
    private static final String TLS_PASSWORD = "fidelity";
    private static volatile SSLContext serverTls;

    private final List<ServerSocket> listeners = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fidelity-server");
        t.setDaemon(true);
        return t;
    });
    private final boolean https;
    private final Behaviour behaviour;
    private volatile boolean closed;

    private TestHttpServer(boolean https, Behaviour behaviour) {
        this.https = https;
        this.behaviour = behaviour;
    }

    static TestHttpServer start(boolean https, Behaviour behaviour) throws IOException {
        TestHttpServer server = new TestHttpServer(https, behaviour);
        try {
            server.bind();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        for (ServerSocket listener : server.listeners) {
            server.threads.execute(() -> server.accept(listener));
        }
        return server;
    }

    int port() {
        return listeners.get(0).getLocalPort();
    }

    boolean https() {
        return https;
    }

    List<Request> requests() {
        return Collections.unmodifiableList(received);
    }

    private void bind() throws IOException {
        for (int attempt = 0; ; attempt++) {
            ServerSocket v4 = newListener();
            v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
            ServerSocket v6 = newListener();
            try {
                v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), v4.getLocalPort()), 50);
            } catch (BindException e) {
                v6.close();
                if (attempt < 20 && e.getMessage() != null && e.getMessage().contains("in use")) {
                    v4.close();
                    continue;
                }
                // No IPv6 loopback on this machine: localhost can only mean 127.0.0.1.
                listeners.add(v4);
                return;
            } catch (IOException e) {
                v6.close();
                listeners.add(v4);
                return;
            }
            listeners.add(v4);
            listeners.add(v6);
            return;
        }
    }

    private ServerSocket newListener() throws IOException {
        if (!https) {
            return new ServerSocket();
        }
        SSLServerSocketFactory factory = tls().getServerSocketFactory();
        return factory.createServerSocket();
    }

    private void accept(ServerSocket listener) {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return;
            }
            open.add(socket);
            threads.execute(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            PushbackInputStream in = new PushbackInputStream(socket.getInputStream(), 1);
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (first == TLS_HANDSHAKE_RECORD && !https) {
                // A TLS hello to a plain HTTP app: like any HTTP server, it answers with an HTTP error, which is
                // what makes the kubelet retry a lifecycle hook over HTTP.
                socket.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            in.unread(first);
            String requestLine = readLine(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            String[] parts = requestLine.split(" ");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
                }
            }
            Request request = new Request(parts.length > 1 ? parts[1] : "", List.copyOf(headers));
            received.add(request);
            Response response = behaviour.respond(request, this);
            if (response.delayMillis() > 0) {
                Thread.sleep(response.delayMillis());
            }
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ')
                    .append(reason(response.status())).append("\r\n");
            Map<String, String> responseHeaders = new LinkedHashMap<>(response.headers());
            responseHeaders.putIfAbsent("Content-Type", "text/plain");
            // A behaviour may announce more than it sends: the body then breaks off when the connection closes.
            responseHeaders.putIfAbsent("Content-Length", Integer.toString(response.body().length));
            responseHeaders.put("Connection", "close");
            responseHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(response.body());
            out.flush();
        } catch (IOException e) {
            // The client went away (a probe that stopped reading at 10 KiB, or timed out): nothing to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 406 -> "Not Acceptable";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        closed = true;
        for (ServerSocket listener : listeners) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A self-signed certificate for localhost, generated once per test run. */
    private static SSLContext tls() throws IOException {
        SSLContext context = serverTls;
        if (context != null) {
            return context;
        }
        synchronized (TestHttpServer.class) {
            if (serverTls == null) {
                try {
                    Files.createDirectories(TLS_DIR);
                    List<?> files = new CertificateGenerator(TLS_DIR, true).generate(new CertificateRequest()
                            .withName("fidelity").withCN("localhost").withFormat(Format.PKCS12)
                            .withPassword(TLS_PASSWORD).withDuration(Duration.ofDays(2))
                            .withSubjectAlternativeName("DNS:localhost")
                            .withSubjectAlternativeName("IP:127.0.0.1"));
                    Pkcs12CertificateFiles p12 = (Pkcs12CertificateFiles) files.get(0);
                    KeyStore keyStore = KeyStore.getInstance("PKCS12");
                    try (InputStream in = Files.newInputStream(p12.keyStoreFile())) {
                        keyStore.load(in, TLS_PASSWORD.toCharArray());
                    }
                    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    keys.init(keyStore, TLS_PASSWORD.toCharArray());
                    SSLContext built = SSLContext.getInstance("TLS");
                    built.init(keys.getKeyManagers(), null, null);
                    serverTls = built;
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException("cannot generate the test server's certificate", e);
                }
            }
            return serverTls;
        }
    }

    @Override
    public String toString() {
        return (https ? "https" : "http") + " server on port " + (listeners.isEmpty() ? "?" : port())
                + " (" + listeners.size() + " listeners)";
    }
}
