package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.polling.Eventually;
import io.proberewriter.time.SteppingClock;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEM files as a source, in a temporary directory: what is there at startup, a version per look at the files
 * (the same version while they do not change), files that are replaced, unreadable or gone; and, through
 * {@link ServingCertificate}, a refused version said once however often it is seen again.
 */
class FilesCertificateSourceTest {

    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;
    Vertx vertx;
    FilesCertificateSource source;
    final List<CertificateVersion> offered = new ArrayList<>();

    @BeforeEach
    void files() throws Exception {
        vertx = Vertx.vertx();
        valid("first").writeTo(dir);
        source = new FilesCertificateSource(() -> true, vertx, cert().toString(), key().toString(),
                Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        source.stop();
        vertx.close();
    }

    private Path cert() {
        return dir.resolve("tls.crt");
    }

    private Path key() {
        return dir.resolve("tls.key");
    }

    private static DatedCertificates.Pem valid(String cn) {
        return DatedCertificates.issue(cn, START.minus(Duration.ofHours(1)), START.plus(Duration.ofDays(1)));
    }

    private static Optional<String> subject(CertificateVersion version) {
        return version.keyManager().get().flatMap(ServingCertificate::leaf)
                .map(c -> c.getSubjectX500Principal().getName());
    }

    private CertificateVersion last() {
        return offered.get(offered.size() - 1);
    }

    @Test
    void theFilesAtStartupAreTheInitialVersion() {
        CertificateVersion initial = source.initial().orElseThrow();

        assertEquals("files " + cert() + " and " + key(), initial.origin());
        assertEquals(Optional.of("CN=first"), subject(initial));
        assertNotNull(initial.fingerprint(), "files are looked at again and again: their version is identified");
        assertEquals("no certificate loaded from files " + cert() + " and " + key(), source.nothingServedYet());
    }

    @Test
    void eachLookOffersTheVersionThereAndAReplacementIsANewOne() throws Exception {
        source.check(offered::add);
        source.check(offered::add);
        assertEquals(2, offered.size());
        assertTrue(Arrays.equals(offered.get(0).fingerprint(), offered.get(1).fingerprint()), "unchanged files");
        assertTrue(Arrays.equals(source.initial().orElseThrow().fingerprint(), last().fingerprint()));

        valid("second").writeTo(dir);
        source.check(offered::add);

        assertFalse(Arrays.equals(offered.get(0).fingerprint(), last().fingerprint()), "replaced files");
        assertEquals(Optional.of("CN=second"), subject(last()));
        assertEquals(Optional.empty(), source.problem());
    }

    @Test
    void filesThatCannotBeReadAsACertificateAreOfferedAsUnreadable() throws Exception {
        Files.writeString(cert(), "not a certificate");
        source.check(offered::add);

        assertEquals(Optional.empty(), last().keyManager().get());
        assertEquals("Serving certificate files changed but ", last().refusedAs());
    }

    @Test
    void aMissingFileIsTheSourcesProblemUntilItIsBack() throws Exception {
        byte[] certificate = Files.readAllBytes(cert());
        Files.delete(cert());
        source.check(offered::add);

        assertEquals(List.of(), offered, "nothing to offer");
        assertEquals(Optional.of("cannot read " + cert() + ": no such file; still serving the certificate read before"),
                source.problem());

        Files.write(cert(), certificate);
        source.check(offered::add);
        assertEquals(Optional.empty(), source.problem());
        assertEquals(Optional.of("CN=first"), subject(last()));
    }

    @Test
    void aStartedSourceLooksEveryPeriod() throws Exception {
        List<CertificateVersion> seen = new CopyOnWriteArrayList<>();
        source.start(seen::add);
        valid("renewed").writeTo(dir);

        Eventually.until("the renewed files offered", Duration.ofSeconds(20),
                () -> !seen.isEmpty() && subject(seen.get(seen.size() - 1)).equals(Optional.of("CN=renewed")));
    }

    @Test
    void aRefusedVersionIsSaidOnceAndClearedWhenTheServedOneIsBack() throws Exception {
        SteppingClock clock = new SteppingClock(START);
        ServingCertificate serving = new ServingCertificate(source, new SimpleMeterRegistry(), clock, clock::at);
        serving.keyManager();
        assertEquals("CN=first", serving.certificate().orElseThrow().getSubjectX500Principal().getName());
        byte[] firstCert = Files.readAllBytes(cert());
        byte[] firstKey = Files.readAllBytes(key());

        DatedCertificates.Pem expired = DatedCertificates.issue("expired", START.minus(Duration.ofDays(2)),
                START.minus(Duration.ofDays(1)));
        expired.writeTo(dir);
        List<CertificateVersion> judged = new ArrayList<>();
        source.check(version -> {
            judged.add(version);
            assertFalse(serving.offer(version));
        });
        String refusal = "Serving certificate files changed but the certificate (CN=expired) expired at "
                + expired.parsed().getNotAfter().toInstant() + "; still serving the previous one";
        assertEquals(Optional.of(refusal), serving.problem());

        // The same version at the next look: not read again (a read would count), the refusal stands.
        int[] reads = {0};
        source.check(version -> serving.offer(new CertificateVersion(version.origin(), version.fingerprint(), () -> {
            reads[0]++;
            return version.keyManager().get();
        }, version.refusedAs(), version.servedAs())));
        assertEquals(0, reads[0], "a version already judged was read again");
        assertEquals(Optional.of(refusal), serving.problem());

        Files.write(cert(), firstCert);
        Files.write(key(), firstKey);
        source.check(serving::offer);
        assertEquals(Optional.empty(), serving.problem(), "back to the version in service: nothing is refused");
        assertEquals("CN=first", serving.certificate().orElseThrow().getSubjectX500Principal().getName());
    }
}
