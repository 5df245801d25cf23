package io.proberewriter.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the launcher lowers the PKCS12 key-protection iteration count, checked against the libraries rather than
 * assumed: Vert.x reads a PEM key through a PKCS12 key store, the JDK applies the count it is given to the key it
 * encrypts (read back by OpenSSL from the stored file: 10,000 without the setting, 1 with it), a key manager built
 * under the setting still serves the same key, and a count given on the command line is kept.
 */
class InMemoryKeyProtectionTest {

    static final DatedCertificates.Pem PEM = DatedCertificates.issue("localhost",
            Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));

    @TempDir
    Path dir;
    String before;
    Vertx vertx;

    @BeforeEach
    void remember() {
        before = System.getProperty(InMemoryKeyProtection.ITERATION_COUNT);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(InMemoryKeyProtection.ITERATION_COUNT);
        } else {
            System.setProperty(InMemoryKeyProtection.ITERATION_COUNT, before);
        }
        vertx.close();
    }

    private PemKeyCertOptions pem() {
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(PEM.certificate()))
                .setKeyValue(Buffer.buffer(PEM.key()));
    }

    @Test
    void vertxReadsAPemKeyThroughAPkcs12KeyStore() throws Exception {
        assertEquals("PKCS12", pem().loadKeyStore(vertx).getType().toUpperCase(java.util.Locale.ROOT),
                "the iteration count only matters while Vert.x's PEM loader uses the JDK's PKCS12 store");
    }

    @Test
    void theJdkEncryptsTheKeyWithTheCountItIsGiven() throws Exception {
        System.clearProperty(InMemoryKeyProtection.ITERATION_COUNT);
        assertEquals(10_000, keyIterations(storedWithOneKey()), "the JDK's default, what the setting saves");

        InMemoryKeyProtection.applyUnlessSet();
        assertEquals(1, keyIterations(storedWithOneKey()));
    }

    @Test
    void aKeyManagerBuiltUnderTheSettingServesTheSameKey() throws Exception {
        System.clearProperty(InMemoryKeyProtection.ITERATION_COUNT);
        InMemoryKeyProtection.applyUnlessSet();
        X509KeyManager served = keyManager();
        String alias = served.chooseServerAlias("EC", null, null);
        assertEquals(PEM.parsed(), served.getCertificateChain(alias)[0]);
        assertEquals(PEM.parsed().getPublicKey().getAlgorithm(), served.getPrivateKey(alias).getAlgorithm());
    }

    @Test
    void aCountGivenOnTheCommandLineIsKept() {
        System.setProperty(InMemoryKeyProtection.ITERATION_COUNT, "50000");
        InMemoryKeyProtection.applyUnlessSet();
        assertEquals("50000", System.getProperty(InMemoryKeyProtection.ITERATION_COUNT));

        System.clearProperty(InMemoryKeyProtection.ITERATION_COUNT);
        InMemoryKeyProtection.applyUnlessSet();
        assertEquals(InMemoryKeyProtection.IN_MEMORY_ITERATION_COUNT,
                System.getProperty(InMemoryKeyProtection.ITERATION_COUNT));
    }

    private X509KeyManager keyManager() throws Exception {
        for (KeyManager km : pem().getKeyManagerFactory(vertx).getKeyManagers()) {
            if (km instanceof X509KeyManager x509) {
                return x509;
            }
        }
        throw new AssertionError("Vert.x built no X.509 key manager");
    }

    /**
     * The PEM key put into a PKCS12 key store the way Vert.x's loader puts it (a key entry under a password, which is
     * when the JDK encrypts it), under a password this test knows, then written to a file that OpenSSL can read.
     */
    private Path storedWithOneKey() throws Exception {
        X509KeyManager pemKey = keyManager();
        String alias = pemKey.chooseServerAlias("EC", null, null);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "test".toCharArray();
        store.setKeyEntry(alias, pemKey.getPrivateKey(alias), password, pemKey.getCertificateChain(alias));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password);
        Path file = Files.createTempFile(dir, "store", ".p12");
        Files.write(file, out.toByteArray());
        return file;
    }

    /** The PBKDF2 iteration count of the stored key bag, as {@code openssl pkcs12 -info} reports it. */
    private static int keyIterations(Path p12) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "pkcs12", "-info", "-noout", "-in", p12.toString(),
                "-passin", "pass:test").redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS), "openssl finished");
        Matcher bag = Pattern.compile("Shrouded Keybag: .*?Iteration (\\d+)").matcher(output);
        assertTrue(bag.find(), "openssl reports the key bag's protection: " + output);
        return Integer.parseInt(bag.group(1));
    }
}
