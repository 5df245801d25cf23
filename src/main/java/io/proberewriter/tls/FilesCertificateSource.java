package io.proberewriter.tls;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * With {@code probe-rewriter.tls.source=files}: the PEM certificate chain and key on disk, typically a mounted
 * Secret that cert-manager renews. Every reload period both files are hashed and the version offered; the files
 * are read as a certificate and key only when that version is judged, so a period without a change costs two small
 * reads. Read by Vert.x's PEM loader, as the TLS registry reads them at startup ({@link ServingKeyStoreProvider}):
 * PKCS#8, PKCS#1 and SEC1 keys alike.
 */
final class FilesCertificateSource implements CertificateSource {

    private static final Logger LOG = Logger.getLogger(FilesCertificateSource.class);

    private final BooleanSupplier configured;
    private final Vertx vertx;
    private final Path certFile;
    private final Path keyFile;
    private final Duration reloadPeriod;
    private final String origin;
    /** Why the files cannot be read right now, or null. */
    private volatile String unreadable;
    private volatile long timer = -1;

    FilesCertificateSource(BooleanSupplier configured, Vertx vertx, String certFile, String keyFile,
                           Duration reloadPeriod) {
        this.configured = configured;
        this.vertx = vertx;
        this.certFile = Path.of(certFile);
        this.keyFile = Path.of(keyFile);
        this.reloadPeriod = reloadPeriod;
        this.origin = "files " + certFile + " and " + keyFile;
    }

    @Override
    public boolean configured() {
        return configured.getAsBoolean();
    }

    @Override
    public String nothingServedYet() {
        return "no certificate loaded from " + origin;
    }

    @Override
    public Optional<CertificateVersion> initial() {
        byte[] fingerprint = fingerprint().orElse(null);
        X509ExtendedKeyManager keyManager = read().orElseThrow(() -> new IllegalStateException(
                "the TLS configuration '" + ServingCertificate.TLS_CONFIGURATION
                        + "' has no usable key and certificate"));
        return Optional.of(version(fingerprint, () -> Optional.of(keyManager)));
    }

    @Override
    public void start(Consumer<CertificateVersion> versions) {
        // File reads and key checks are blocking: off the event loop.
        timer = vertx.setPeriodic(reloadPeriod.toMillis(), id -> vertx.executeBlocking(() -> {
            check(versions);
            return null;
        }, false));
    }

    @Override
    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(unreadable);
    }

    /** One reload period's look at the files: their version, when they can be read. */
    void check(Consumer<CertificateVersion> versions) {
        fingerprint().ifPresent(fingerprint -> versions.accept(version(fingerprint, this::read)));
    }

    private CertificateVersion version(byte[] fingerprint, Supplier<Optional<X509ExtendedKeyManager>> keyManager) {
        return new CertificateVersion(origin, fingerprint, keyManager, "Serving certificate files changed but ",
                "Serving certificate reloaded");
    }

    private Optional<X509ExtendedKeyManager> read() {
        try {
            PemKeyCertOptions pem = new PemKeyCertOptions().setCertPath(certFile.toString())
                    .setKeyPath(keyFile.toString());
            for (KeyManager km : pem.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (km instanceof X509ExtendedKeyManager x509) {
                    return Optional.of(x509);
                }
            }
        } catch (Exception e) {
            LOG.warnf("Cannot build a key manager from the serving certificate: %s", e.toString());
        }
        return Optional.empty();
    }

    /**
     * Both files' bytes, hashed: what changes when the Secret is updated. Files that cannot be read are reported
     * once, at WARN, and in readiness' data until they are back: the kubelet never removes them while it updates a
     * mounted Secret, so a missing file means a changed mount or a deleted key.
     */
    private Optional<byte[]> fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(certFile));
            digest.update(Files.readAllBytes(keyFile));
            if (unreadable != null) {
                LOG.infof("Serving certificate files %s and %s can be read again", certFile, keyFile);
                unreadable = null;
            }
            return Optional.of(digest.digest());
        } catch (IOException | GeneralSecurityException e) {
            String problem = "cannot read " + (e instanceof NoSuchFileException missing ? missing.getFile()
                    + ": no such file" : e.toString()) + "; still serving the certificate read before";
            if (unreadable == null) {
                LOG.warnf("Serving certificate files: %s", problem);
            }
            unreadable = problem;
            return Optional.empty();
        }
    }
}
