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

    static Optional<X509Certificate> servedCertificate(HttpResponse<?> response) throws Exception {
        if (response.sslSession().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of((X509Certificate) response.sslSession().get().getPeerCertificates()[0]);
    }

    private static HttpClient newHttpClient() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("first", ServingCertificates.certificate("first"));
            trust.setCertificateEntry("second", ServingCertificates.certificate("second"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return HttpClient.newBuilder().sslContext(context).sslParameters(parameters)
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
