package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.polling.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A certificate outside its validity is never taken into service: the API server would refuse it on every call.
 * Offered as the operator's Secret source offers them, one version after another.
 */
class ServingCertificateValidityTest {

    private static final String ORIGIN = "Secret probe-rewriter-system/probe-rewriter-tls";
    static Vertx vertx;
    ServingCertificate serving;
    ServingCertificateReadiness readiness;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close();
    }

    @BeforeEach
    void newServingCertificate() {
        ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.tls.source", "secret"));
        serving = new ServingCertificate(null, vertx, config, new SimpleMeterRegistry());
        readiness = new ServingCertificateReadiness(serving);
        serving.keyManager();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static DatedCertificates.Pem valid(String cn) {
        return DatedCertificates.issue(cn, now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(1)));
    }

    private static X509ExtendedKeyManager keyManager(DatedCertificates.Pem pem) throws Exception {
        return (X509ExtendedKeyManager) new PemKeyCertOptions().addCertValue(Buffer.buffer(pem.certificate()))
                .addKeyValue(Buffer.buffer(pem.key())).getKeyManagerFactory(vertx).getKeyManagers()[0];
    }

    /** What handshakes get now: the certificate in the HTTPS server's key manager, if any. */
    private Optional<String> handshakesGet() {
        return ServingCertificate.leaf(serving.keyManager().current()).map(c -> c.getSubjectX500Principal().getName());
    }

    @Test
    void nothingIsServedBeforeTheFirstCertificateArrives() {
        assertEquals(Optional.empty(), handshakesGet());
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
        assertEquals("no certificate yet from " + ORIGIN, answer.getData().orElseThrow().get("reason"));
    }

    @Test
    void anExpiredCertificateNeverReplacesAValidOne() throws Exception {
        assertTrue(serving.serve(keyManager(valid("valid")), ORIGIN));
        DatedCertificates.Pem expired = DatedCertificates.issue("expired", now().minus(Duration.ofDays(2)),
                now().minus(Duration.ofDays(1)));

        assertFalse(serving.serve(keyManager(expired), ORIGIN), "an expired certificate was taken into service");

        assertEquals(Optional.of("CN=valid"), handshakesGet());
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.UP, answer.getStatus(), "the valid certificate is still served");
        assertEquals(ORIGIN + ": the certificate (CN=expired) expired at "
                        + expired.parsed().getNotAfter().toInstant() + "; still serving the previous one",
                answer.getData().orElseThrow().get("problem"));
    }

    @Test
    void anExpiredFirstCertificateIsNotServedAndReadinessSaysWhy() throws Exception {
        DatedCertificates.Pem expired = DatedCertificates.issue("expired", now().minus(Duration.ofDays(2)),
                now().minus(Duration.ofDays(1)));

        assertFalse(serving.serve(keyManager(expired), ORIGIN));

        assertEquals(Optional.empty(), handshakesGet(), "handshakes must fail rather than present an expired one");
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
        assertEquals(ORIGIN + ": the certificate (CN=expired) expired at " + expired.parsed().getNotAfter().toInstant(),
                answer.getData().orElseThrow().get("reason"));

        assertTrue(serving.serve(keyManager(valid("renewed")), ORIGIN), "a valid one must still be taken");
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        assertFalse(readiness.call().getData().orElseThrow().containsKey("problem"));
    }

    @Test
    void aCertificateNotValidYetIsServedOnceItIs() throws Exception {
        assertTrue(serving.serve(keyManager(valid("current")), ORIGIN));
        Instant notBefore = now().plusSeconds(3);
        DatedCertificates.Pem early = DatedCertificates.issue("early", notBefore, notBefore.plus(Duration.ofDays(1)));

        assertFalse(serving.serve(keyManager(early), ORIGIN), "served before its validity began");
        assertEquals(Optional.of("CN=current"), handshakesGet());
        assertTrue(serving.problem().orElseThrow().contains("the certificate (CN=early) is not valid before "
                + notBefore), serving.problem().orElseThrow());

        // No new version of the Secret will come: the certificate must be served when its time comes.
        Eventually.until("the early certificate served once valid", Duration.ofSeconds(20),
                () -> handshakesGet().equals(Optional.of("CN=early")));
        assertTrue(Instant.now().isAfter(notBefore), "served before " + notBefore);
        assertEquals(Optional.empty(), serving.problem());
    }

    @Test
    void aNewerValidCertificateCancelsOneStillWaiting() throws Exception {
        Instant notBefore = now().plusSeconds(2);
        assertFalse(serving.serve(keyManager(DatedCertificates.issue("early", notBefore,
                notBefore.plus(Duration.ofDays(1)))), ORIGIN));
        assertTrue(serving.serve(keyManager(valid("newer")), ORIGIN));
        Thread.sleep(Duration.between(Instant.now(), notBefore).plusSeconds(2).toMillis());
        assertEquals(Optional.of("CN=newer"), handshakesGet(), "the older, early version replaced the newer one");
    }
}
