package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.polling.Eventually;
import io.proberewriter.tls.DatedCertificates;
import io.proberewriter.tls.ServingCertificate;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The Secret behind the serving certificate is renewed while the API server keeps calling: the next connections
 * get the new certificate, without a restart, and not one request fails. What must not be served is not: a pair
 * whose key does not match, an expired certificate, one not valid yet (until it is); files that disappear leave the
 * certificate in service and are reported.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class CertificateReloadTest extends WebhookTestBase {

    @Test
    void aRenewedCertificateIsServedWithoutFailingARequest() throws Exception {
        assertEquals("CN=" + ServingCertificates.FIRST_CN, served().getSubjectX500Principal().getName());
        String review = Reviews.podCreate("default", pod("p", 8080)).toString();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> servedSubjects = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable caller = () -> {
            while (!stop.get()) {
                try {
                    // A fresh client per call: a new TLS handshake each time, so a renewal is seen at once.
                    HttpResponse<byte[]> response = client().fresh().post(review);
                    sent.incrementAndGet();
                    if (response.statusCode() != 200) {
                        failures.add("status " + response.statusCode());
                    }
                    WebhookClient.servedCertificate(response)
                            .ifPresent(c -> servedSubjects.add(c.getSubjectX500Principal().getName()));
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        };
        List<Thread> callers = List.of(new Thread(caller), new Thread(caller));
        callers.forEach(Thread::start);
        try {
            Eventually.until("the callers to be calling", Duration.ofSeconds(20), () -> sent.get() >= 10);
            ServingCertificates.install("second");
            Eventually.until("the renewed certificate to be served", Duration.ofSeconds(30),
                    () -> servedSubjects.contains("CN=" + ServingCertificates.SECOND_CN));
            // Calls go on across the switch: as many again after it, so that a failure just after it would show.
            int atSwitch = sent.get();
            Eventually.until("calls after the switch", Duration.ofSeconds(20), () -> sent.get() >= atSwitch + 10);
        } finally {
            stop.set(true);
            for (Thread t : callers) {
                t.join(60_000);
            }
        }
        assertEquals(List.of(), failures, "requests failed during the renewal (" + sent.get() + " sent)");
        assertTrue(sent.get() > 20, "too few requests to prove anything: " + sent.get());
        assertTrue(managementGet("health/ready").body().contains("CN=" + ServingCertificates.SECOND_CN));

        // Back to the first certificate, so the order of tests does not matter.
        ServingCertificates.install("first");
        Eventually.until("the first certificate back", Duration.ofSeconds(30),
                () -> servedSubject().equals("CN=" + ServingCertificates.FIRST_CN));
    }

    @Test
    void aHalfWrittenPairIsNotServed() throws Exception {
        // The key of one certificate with the chain of another: every handshake would fail if it were used.
        java.nio.file.Path mount = ServingCertificates.MOUNT;
        java.nio.file.Path version = java.nio.file.Files.createTempDirectory(mount, "..broken-");
        java.nio.file.Files.copy(ServingCertificates.ROOT.resolve("second/tls.crt"), version.resolve("tls.crt"));
        java.nio.file.Files.copy(ServingCertificates.ROOT.resolve("first/tls.key"), version.resolve("tls.key"));
        java.nio.file.Path next = mount.resolve("..data_tmp");
        java.nio.file.Files.deleteIfExists(next);
        java.nio.file.Files.createSymbolicLink(next, version.getFileName());
        java.nio.file.Files.move(next, mount.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try {
            // Not a wait for nothing to happen: the pair is read, judged and refused, and readiness says so.
            Eventually.until("the half-written pair refused", Duration.ofSeconds(20),
                    () -> readiness().contains("the key does not match the certificate"));
            assertEquals("CN=" + ServingCertificates.FIRST_CN, served().getSubjectX500Principal().getName());
            assertEquals(200, client().fresh().post(Reviews.podCreate("default", pod("p", 8080)).toString())
                    .statusCode());
        } finally {
            ServingCertificates.install("first");
        }
    }

    @Test
    void anExpiredCertificateDoesNotReplaceTheValidOne() throws Exception {
        DatedCertificates.Pem expired = DatedCertificates.issue("expired", Instant.now().minus(Duration.ofDays(3)),
                Instant.now().minus(Duration.ofDays(1)));
        expired.writeTo(ServingCertificates.ROOT.resolve("expired"));
        try (LogCapture warnings = LogCapture.of(ServingCertificate.class)) {
            ServingCertificates.install("expired");
            String why = "the certificate (CN=expired) expired at " + expired.parsed().getNotAfter().toInstant();
            Eventually.until("the refusal in readiness' data", Duration.ofSeconds(20),
                    () -> readiness().contains(why + "; still serving the previous one"));
            assertTrue(readiness().contains("\"status\": \"UP\""), readiness());
            assertEquals("CN=" + ServingCertificates.FIRST_CN, servedSubject());
            assertEquals(200, client().fresh().post(Reviews.podCreate("default", pod("p", 8080)).toString())
                    .statusCode());
            assertTrue(warnings.has(Level.WARNING, "Serving certificate files changed but " + why), warnings.toString());
        } finally {
            ServingCertificates.install("first");
        }
        Eventually.until("the refusal cleared once the files are back", Duration.ofSeconds(20),
                () -> !readiness().contains("problem"));
    }

    @Test
    void filesThatDisappearAreReportedAndTheCertificateStays() throws Exception {
        java.nio.file.Path data = ServingCertificates.MOUNT.resolve("..data");
        java.nio.file.Path target = java.nio.file.Files.readSymbolicLink(data);
        // Said by the files source; captured for the whole package, whichever of its classes speaks.
        try (LogCapture warnings = LogCapture.of(ServingCertificate.class.getPackageName())) {
            java.nio.file.Files.delete(data); // tls.crt and tls.key now point nowhere
            String missing = ServingCertificates.MOUNT.resolve("tls.crt").toAbsolutePath() + ": no such file";
            Eventually.until("the missing file in readiness' data", Duration.ofSeconds(20),
                    () -> readiness().contains("cannot read " + missing));
            assertTrue(readiness().contains("\"status\": \"UP\""), readiness());
            assertEquals("CN=" + ServingCertificates.FIRST_CN, servedSubject());
            assertTrue(warnings.has(Level.WARNING, "Serving certificate files: cannot read " + missing),
                    warnings.toString());
        } finally {
            if (!java.nio.file.Files.exists(data, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                java.nio.file.Files.createSymbolicLink(data, target);
            }
        }
        Eventually.until("the problem cleared once the files are back", Duration.ofSeconds(20),
                () -> !readiness().contains("problem"));
    }

    private String readiness() {
        try {
            return managementGet("health/ready").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subject of the certificate a new handshake gets, whoever issued it. */
    private String servedSubject() {
        try {
            return WebhookClient.presentedCertificate(java.net.URI.create(mutate.toString()))
                    .getSubjectX500Principal().getName();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate served() throws Exception {
        HttpResponse<byte[]> response = client().fresh().post("{}");
        return WebhookClient.servedCertificate(response).orElseThrow();
    }
}
