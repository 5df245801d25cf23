package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.time.SteppingClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A certificate outside its validity is never taken into service: the API server would refuse it on every call.
 * Offered as the operator's Secret source offers them, one version after another, on a clock the test steps: a
 * certificate whose validity begins in an hour is served an hour later, without waiting an hour.
 */
class ServingCertificateValidityTest {

    private static final String NAMESPACE = "probe-rewriter-system";
    private static final String NAME = "probe-rewriter-tls";
    private static final String ORIGIN = "Secret " + NAMESPACE + "/" + NAME;
    static Vertx vertx;
    SteppingClock clock;
    SecretCertificateSource source;
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
        clock = new SteppingClock(Instant.parse("2030-01-01T00:00:00Z"));
        // Never started: the test hands it the Secret's versions the watch would see.
        source = new SecretCertificateSource(() -> {
            throw new AssertionError("no API server in this test");
        }, vertx, NAMESPACE, NAME);
        serving = new ServingCertificate(source, new SimpleMeterRegistry(), clock, clock::at);
        readiness = new ServingCertificateReadiness(serving, clock, true);
        serving.keyManager();
    }

    private Instant now() {
        return clock.instant();
    }

    private DatedCertificates.Pem valid(String cn) {
        return DatedCertificates.issue(cn, now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(1)));
    }

    /** A version of the Secret, as the watch sees it; true when its certificate is now served. */
    private boolean offer(DatedCertificates.Pem pem) {
        AtomicBoolean offered = new AtomicBoolean();
        AtomicBoolean served = new AtomicBoolean();
        source.offer(SecretCertificateSourceTest.tlsSecret(NAMESPACE, NAME, pem), version -> {
            offered.set(true);
            served.set(serving.offer(version));
        });
        assertTrue(offered.get(), "the Secret was readable, so its version is offered");
        return served.get();
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
    void anExpiredCertificateNeverReplacesAValidOne() {
        assertTrue(offer(valid("valid")));
        DatedCertificates.Pem expired = DatedCertificates.issue("expired", now().minus(Duration.ofDays(2)),
                now().minus(Duration.ofDays(1)));

        assertFalse(offer(expired), "an expired certificate was taken into service");

        assertEquals(Optional.of("CN=valid"), handshakesGet());
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.UP, answer.getStatus(), "the valid certificate is still served");
        assertEquals(ORIGIN + ": the certificate (CN=expired) expired at "
                        + expired.parsed().getNotAfter().toInstant() + "; still serving the previous one",
                answer.getData().orElseThrow().get("problem"));
    }

    @Test
    void anExpiredFirstCertificateIsNotServedAndReadinessSaysWhy() {
        DatedCertificates.Pem expired = DatedCertificates.issue("expired", now().minus(Duration.ofDays(2)),
                now().minus(Duration.ofDays(1)));

        assertFalse(offer(expired));

        assertEquals(Optional.empty(), handshakesGet(), "handshakes must fail rather than present an expired one");
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
        assertEquals(ORIGIN + ": the certificate (CN=expired) expired at " + expired.parsed().getNotAfter().toInstant(),
                answer.getData().orElseThrow().get("reason"));

        assertTrue(offer(valid("renewed")), "a valid one must still be taken");
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        assertFalse(readiness.call().getData().orElseThrow().containsKey("problem"));
    }

    @Test
    void aCertificateNotValidYetIsServedOnceItIs() {
        assertTrue(offer(valid("current")));
        Instant notBefore = now().plus(Duration.ofHours(1));
        DatedCertificates.Pem early = DatedCertificates.issue("early", notBefore, notBefore.plus(Duration.ofDays(1)));

        assertFalse(offer(early), "served before its validity began");
        assertEquals(Optional.of("CN=current"), handshakesGet());
        assertTrue(serving.problem().orElseThrow().contains("the certificate (CN=early) is not valid before "
                + notBefore), serving.problem().orElseThrow());

        // No new version of the Secret will come: the certificate must be served when its time comes, not before.
        clock.step(Duration.between(now(), notBefore).minusMillis(1));
        assertEquals(Optional.of("CN=current"), handshakesGet(), "served before " + notBefore);
        clock.step(Duration.ofSeconds(1));
        assertEquals(Optional.of("CN=early"), handshakesGet(), "not served once valid");
        assertEquals(Optional.empty(), serving.problem());
    }

    @Test
    void aNewerValidCertificateCancelsOneStillWaiting() {
        Instant notBefore = now().plus(Duration.ofHours(1));
        assertFalse(offer(DatedCertificates.issue("early", notBefore, notBefore.plus(Duration.ofDays(1)))));
        assertTrue(offer(valid("newer")));

        clock.step(Duration.ofHours(2));

        assertEquals(Optional.of("CN=newer"), handshakesGet(), "the older, early version replaced the newer one");
    }

    @Test
    void aCertificateThatExpiresInServiceStaysAndReadinessSaysSo() {
        DatedCertificates.Pem shortLived = DatedCertificates.issue("short-lived", now().minus(Duration.ofHours(1)),
                now().plus(Duration.ofHours(1)));
        assertTrue(offer(shortLived));
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());

        clock.step(Duration.ofHours(2));

        assertEquals(Optional.of("CN=short-lived"), handshakesGet(), "nothing better to serve: it stays");
        HealthCheckResponse answer = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
        assertEquals("the certificate (CN=short-lived) expired at " + shortLived.parsed().getNotAfter().toInstant(),
                answer.getData().orElseThrow().get("reason"));
    }
}
