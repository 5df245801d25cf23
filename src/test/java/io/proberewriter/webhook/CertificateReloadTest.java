package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Secret behind the serving certificate is renewed while the API server keeps calling: the next connections
 * get the new certificate, without a restart, and not one request fails.
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
            Thread.sleep(1500);
            ServingCertificates.install("second");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!servedSubjects.contains("CN=" + ServingCertificates.SECOND_CN)) {
                assertTrue(System.nanoTime() < deadline, "the renewed certificate was never served");
                Thread.sleep(50);
            }
            Thread.sleep(1000);
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
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!served().getSubjectX500Principal().getName().equals("CN=" + ServingCertificates.FIRST_CN)) {
            assertTrue(System.nanoTime() < deadline, "the first certificate did not come back");
            Thread.sleep(50);
        }
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
            Thread.sleep(3000); // three reload periods
            assertEquals("CN=" + ServingCertificates.FIRST_CN, served().getSubjectX500Principal().getName());
            assertEquals(200, client().fresh().post(Reviews.podCreate("default", pod("p", 8080)).toString())
                    .statusCode());
        } finally {
            ServingCertificates.install("first");
        }
    }

    private X509Certificate served() throws Exception {
        HttpResponse<byte[]> response = client().fresh().post("{}");
        return WebhookClient.servedCertificate(response).orElseThrow();
    }
}
