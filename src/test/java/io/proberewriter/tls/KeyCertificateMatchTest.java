package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key that does not belong to its certificate would fail every handshake: it must be recognised. */
class KeyCertificateMatchTest {

    static Vertx vertx;
    @TempDir
    static Path dir;
    static PemCertificateFiles one;
    static PemCertificateFiles two;

    @BeforeAll
    static void generate() throws Exception {
        vertx = Vertx.vertx();
        one = (PemCertificateFiles) new CertificateGenerator(dir, true).generate(new CertificateRequest()
                .withName("one").withCN("one").withFormat(Format.PEM)).get(0);
        two = (PemCertificateFiles) new CertificateGenerator(dir, true).generate(new CertificateRequest()
                .withName("two").withCN("two").withFormat(Format.PEM)).get(0);
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    private static X509ExtendedKeyManager keyManager(Path cert, Path key) throws Exception {
        return (X509ExtendedKeyManager) new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())
                .getKeyManagerFactory(vertx).getKeyManagers()[0];
    }

    @Test
    void aMatchingPairIsUsable() throws Exception {
        X509ExtendedKeyManager km = keyManager(one.certFile(), one.keyFile());
        assertTrue(ServingCertificate.keyMatchesCertificate(km));
        assertEquals("CN=one", ServingCertificate.leaf(km).orElseThrow().getSubjectX500Principal().getName());
    }

    @Test
    void aMismatchedPairIsNot() throws Exception {
        assertFalse(ServingCertificate.keyMatchesCertificate(keyManager(two.certFile(), one.keyFile())));
    }

    @Test
    void theReloadingKeyManagerServesWhatWasSwappedIn() throws Exception {
        ReloadingKeyManager reloading = new ReloadingKeyManager(keyManager(one.certFile(), one.keyFile()));
        assertEquals("CN=one", ServingCertificate.leaf(reloading).orElseThrow().getSubjectX500Principal().getName());
        reloading.swap(keyManager(two.certFile(), two.keyFile()));
        assertEquals("CN=two", ServingCertificate.leaf(reloading).orElseThrow().getSubjectX500Principal().getName());
        assertTrue(ServingCertificate.keyMatchesCertificate(reloading));
    }
}
