package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.polling.Eventually;
import io.proberewriter.tls.DatedCertificates;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * The certificate files hold only an expired certificate when the server starts: it is not served, readiness stays
 * down and says why, and a valid certificate written later is served without a restart.
 */
@QuarkusTest
@TestProfile(ExpiredCertificateAtStartupTest.ExpiredFiles.class)
@WithKubernetesTestServer(crud = true)
class ExpiredCertificateAtStartupTest extends WebhookTestBase {

    static final Path DIR = Path.of("target/webhook-tls-expired-at-startup");
    static final DatedCertificates.Pem EXPIRED = DatedCertificates.issue("expired-at-startup",
            Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));

    public static class ExpiredFiles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                EXPIRED.writeTo(DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "probe-rewriter.tls.cert-file", DIR.resolve("tls.crt").toAbsolutePath().toString(),
                    "probe-rewriter.tls.key-file", DIR.resolve("tls.key").toAbsolutePath().toString(),
                    "probe-rewriter.tls.reload-period", "1s");
        }
    }

    @Test
    void notServedNotReadyAndTheReasonSaidUntilAValidOneArrives() throws Exception {
        String readiness = managementGet("health/ready").body();
        assertEquals(503, managementGet("health/ready").statusCode(), readiness);
        String origin = "files " + DIR.resolve("tls.crt").toAbsolutePath() + " and "
                + DIR.resolve("tls.key").toAbsolutePath();
        assertTrue(readiness.contains(origin + ": the certificate (CN=expired-at-startup) expired at "
                + EXPIRED.parsed().getNotAfter().toInstant()), readiness);
        assertThrows(SSLException.class, this::handshake, "an expired certificate was presented");

        DatedCertificates.issue("renewed", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1))).writeTo(DIR);
        Eventually.until("readiness once a valid certificate is there", Duration.ofSeconds(20),
                () -> statusOfReadiness() == 200);
        assertTrue(managementGet("health/ready").body().contains("CN=renewed"));
        handshake();
    }

    private int statusOfReadiness() {
        try {
            return managementGet("health/ready").statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS handshake that trusts whatever is presented: only whether one is presented matters here. */
    private void handshake() throws Exception {
        WebhookClient.presentedCertificate(java.net.URI.create(mutate.toString()));
    }
}
