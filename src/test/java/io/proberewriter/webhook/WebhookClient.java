package io.proberewriter.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Plays the API server: POSTs AdmissionReviews over HTTPS, trusting only the test certificates (the caBundle).
 * Each client holds its own connection pool; {@link #fresh()} gives a new TLS handshake per call.
 */
final class WebhookClient {

    private final URI mutate;
    private final HttpClient http;

    WebhookClient(URI mutate) {
        this.mutate = mutate;
        this.http = newHttpClient();
    }

    WebhookClient fresh() {
        return new WebhookClient(mutate);
    }

    HttpResponse<byte[]> post(byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(mutate).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> post(String body) throws Exception {
        return post(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static Optional<X509Certificate> servedCertificate(HttpResponse<?> response) throws Exception {
        if (response.sslSession().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of((X509Certificate) response.sslSession().get().getPeerCertificates()[0]);
    }

    /**
     * Sends {@code head} and then as much of {@code body} as the server will take, reading the status line on
     * another thread: a server that refuses a body answers before it has read it, then closes.
     */
    int rawStatus(String head, java.io.InputStream body) throws Exception {
        return raw(head, body, false).status();
    }

    /** The status line's code, and whether the server then closed the connection within 10 seconds. */
    record RawAnswer(int status, boolean closed) {
    }

    RawAnswer rawAnswerThenClose(String head, java.io.InputStream body) throws Exception {
        return raw(head, body, true);
    }

    private RawAnswer raw(String head, java.io.InputStream body, boolean awaitClose) throws Exception {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) sslContext().getSocketFactory()
                .createSocket(mutate.getHost(), mutate.getPort());
        socket.setSoTimeout(30_000);
        try (socket) {
            socket.startHandshake();
            var status = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                    String line = in.readLine();
                    if (line == null) {
                        return new RawAnswer(-1, true);
                    }
                    int code = Integer.parseInt(line.split(" ")[1]);
                    if (!awaitClose) {
                        return new RawAnswer(code, false);
                    }
                    try {
                        socket.setSoTimeout(10_000);
                        while (in.readLine() != null) {
                            // the rest of the answer, then the end of the stream when the server closes
                        }
                        return new RawAnswer(code, true);
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        return new RawAnswer(code, false);
                    } catch (java.io.IOException reset) {
                        return new RawAnswer(code, true); // closed while our body was still arriving
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                var out = socket.getOutputStream();
                out.write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                body.transferTo(out);
                out.flush();
            } catch (java.io.IOException closedByServer) {
                // Expected once the server has answered and closed.
            }
            return status.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * The certificate a new TLS handshake is presented with, whoever issued it (only which one is served matters to
     * the caller). Throws {@link javax.net.ssl.SSLException} when the server presents none.
     */
    static X509Certificate presentedCertificate(URI server) throws Exception {
        javax.net.ssl.X509TrustManager anything = new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {anything}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** An SSL context that trusts exactly the test certificates, as the API server trusts its caBundle. */
    static SSLContext sslContext() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("first", ServingCertificates.certificate("first"));
        trust.setCertificateEntry("second", ServingCertificates.certificate("second"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static HttpClient newHttpClient() {
        try {
            SSLContext context = sslContext();
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return HttpClient.newBuilder().sslContext(context).sslParameters(parameters)
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
