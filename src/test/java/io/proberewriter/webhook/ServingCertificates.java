package io.proberewriter.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Serving certificates for the webhook under test, laid out as the kubelet mounts a Secret: {@code tls.crt} and
 * {@code tls.key} are links through a {@code ..data} link to a timestamped folder, and an update swaps
 * {@code ..data} in one atomic rename, so a reader never sees a new certificate with an old key.
 */
public class ServingCertificates implements QuarkusTestResourceLifecycleManager {

    static final Path ROOT = Path.of("target/webhook-tls");
    static final Path MOUNT = ROOT.resolve("mount");
    static final String FIRST_CN = "localhost";
    static final String SECOND_CN = "probe-rewriter-renewed";

    @Override
    public Map<String, String> start() {
        try {
            generate("first", FIRST_CN);
            generate("second", SECOND_CN);
            Files.createDirectories(MOUNT);
            install("first");
            Files.deleteIfExists(MOUNT.resolve("tls.crt"));
            Files.deleteIfExists(MOUNT.resolve("tls.key"));
            Files.createSymbolicLink(MOUNT.resolve("tls.crt"), Path.of("..data/tls.crt"));
            Files.createSymbolicLink(MOUNT.resolve("tls.key"), Path.of("..data/tls.key"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate test certificates", e);
        }
        return Map.of(
                "probe-rewriter.tls.cert-file", MOUNT.resolve("tls.crt").toAbsolutePath().toString(),
                "probe-rewriter.tls.key-file", MOUNT.resolve("tls.key").toAbsolutePath().toString(),
                "probe-rewriter.tls.reload-period", "1s");
    }

    @Override
    public void stop() {
        // Left in target/ for inspection; regenerated on the next run.
    }

    private static void generate(String name, String cn) throws Exception {
        Path dir = ROOT.resolve(name);
        Files.createDirectories(dir);
        List<?> files = new CertificateGenerator(dir, true).generate(new CertificateRequest()
                .withName(name).withCN(cn).withFormat(Format.PEM).withDuration(Duration.ofDays(2))
                .withSubjectAlternativeName("DNS:localhost").withSubjectAlternativeName("IP:127.0.0.1"));
        PemCertificateFiles pem = (PemCertificateFiles) files.get(0);
        Files.copy(pem.certFile(), dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pem.keyFile(), dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Points {@code ..data} at a fresh copy of the named certificate, atomically, as the kubelet does. */
    static void install(String name) throws IOException {
        Path version = Files.createTempDirectory(MOUNT, "..version-");
        Files.copy(ROOT.resolve(name).resolve("tls.crt"), version.resolve("tls.crt"));
        Files.copy(ROOT.resolve(name).resolve("tls.key"), version.resolve("tls.key"));
        Path next = MOUNT.resolve("..data_tmp");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, version.getFileName());
        Files.move(next, MOUNT.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static X509Certificate certificate(String name) {
        try (var in = Files.newInputStream(ROOT.resolve(name).resolve("tls.crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
