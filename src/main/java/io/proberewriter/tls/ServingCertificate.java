package io.proberewriter.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * The certificate the HTTPS port serves, kept current from the PEM files. The files are read through the Quarkus
 * TLS registry (configuration {@value #TLS_CONFIGURATION}); every reload period their bytes are compared with
 * what is served, and on a change the registry reloads them, the new key is checked against the new certificate,
 * and the {@link ReloadingKeyManager} switches over. A bad pair (a copy caught half-way) is not used: the old
 * certificate stays until the files are whole again.
 */
@Singleton
public class ServingCertificate {

    /** The TLS registry configuration of the HTTPS server (quarkus.http.tls-configuration-name). */
    public static final String TLS_CONFIGURATION = "webhook";
    private static final Logger LOG = Logger.getLogger(ServingCertificate.class);
    private static final String[] KEY_TYPES = {"EC", "RSA", "EdDSA", "Ed25519", "RSASSA-PSS"};

    private final TlsConfigurationRegistry registry;
    private final Vertx vertx;
    private final ProbeRewriterConfig config;
    private volatile ReloadingKeyManager keyManager;
    /** False while the served key does not match its certificate: every handshake would fail. */
    private volatile boolean usable;
    private volatile byte[] servedFingerprint;
    private volatile long timer = -1;
    private final MeterRegistry meters;

    ServingCertificate(TlsConfigurationRegistry registry, Vertx vertx, ProbeRewriterConfig config,
                       MeterRegistry meters) {
        this.registry = registry;
        this.vertx = vertx;
        this.config = config;
        this.meters = meters;
    }

    /** The key manager for the HTTPS server; built from the registry on first use. */
    synchronized ReloadingKeyManager keyManager() {
        if (keyManager == null) {
            TlsConfiguration tls = configuration();
            X509ExtendedKeyManager initial = keyManagerOf(tls).orElseThrow(() -> new IllegalStateException(
                    "the TLS configuration '" + TLS_CONFIGURATION + "' has no usable key and certificate"));
            keyManager = new ReloadingKeyManager(initial);
            servedFingerprint = fingerprint().orElse(null);
            usable = keyMatchesCertificate(initial);
            if (!usable) {
                // Not ready, and watching: a corrected Secret is picked up like any renewal.
                LOG.errorf("The serving key in %s does not match the certificate in %s: not ready until they match",
                        config.tls().keyFile(), config.tls().certFile());
            }
        }
        return keyManager;
    }

    /** The certificate being served now, if there is one that handshakes can use. */
    public Optional<X509Certificate> certificate() {
        ReloadingKeyManager km = keyManager;
        return km == null || !usable ? Optional.empty() : leaf(km.current());
    }

    void start(@Observes StartupEvent event) {
        if (registry.get(TLS_CONFIGURATION).isEmpty()) {
            return; // Offline commands: no HTTPS server.
        }
        keyManager();
        // Registered at startup, not when the HTTP server first asks for the key manager: the metrics registry is
        // complete by then. A strong reference, because Micrometer holds gauge objects weakly by default.
        Gauge.builder("probe_rewriter_serving_certificate_expiry", this,
                        c -> c.certificate().map(x -> x.getNotAfter().getTime() / 1000.0).orElse(Double.NaN))
                .description("When the served certificate expires, in seconds since the epoch").baseUnit("seconds")
                .strongReference(true)
                .register(meters);
        long period = config.tls().reloadPeriod().toMillis();
        // File reads and key checks are blocking: off the event loop.
        timer = vertx.setPeriodic(period, id -> vertx.executeBlocking(() -> {
            reloadIfChanged();
            return null;
        }, false));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Returns true when a new certificate is now served. */
    synchronized boolean reloadIfChanged() {
        Optional<byte[]> now = fingerprint();
        if (now.isEmpty() || Arrays.equals(now.get(), servedFingerprint)) {
            return false;
        }
        TlsConfiguration tls = configuration();
        if (!tls.reload()) {
            LOG.warnf("Serving certificate files changed but could not be read; still serving the previous one");
            return false;
        }
        Optional<X509ExtendedKeyManager> next = keyManagerOf(tls).filter(ServingCertificate::keyMatchesCertificate);
        if (next.isEmpty()) {
            LOG.warnf("Serving certificate files changed but the key does not match the certificate (a copy in"
                    + " progress?); still serving the previous one");
            return false;
        }
        keyManager().swap(next.get());
        servedFingerprint = now.get();
        usable = true;
        leaf(next.get()).ifPresent(cert -> LOG.infof("Serving certificate reloaded: %s, valid until %s",
                cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant()));
        return true;
    }

    private TlsConfiguration configuration() {
        return registry.get(TLS_CONFIGURATION).orElseThrow(() -> new IllegalStateException(
                "no TLS configuration named '" + TLS_CONFIGURATION + "'"));
    }

    private Optional<X509ExtendedKeyManager> keyManagerOf(TlsConfiguration tls) {
        try {
            for (KeyManager km : tls.getKeyStoreOptions().getKeyManagerFactory(vertx).getKeyManagers()) {
                if (km instanceof X509ExtendedKeyManager x509) {
                    return Optional.of(x509);
                }
            }
        } catch (Exception e) {
            LOG.warnf("Cannot build a key manager from the serving certificate: %s", e.toString());
        }
        return Optional.empty();
    }

    /** Both files' bytes, hashed: what changes when the Secret is updated. */
    private Optional<byte[]> fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(Path.of(config.tls().certFile())));
            digest.update(Files.readAllBytes(Path.of(config.tls().keyFile())));
            return Optional.of(digest.digest());
        } catch (IOException | GeneralSecurityException e) {
            LOG.debugf("Serving certificate files not readable right now: %s", e.toString());
            return Optional.empty();
        }
    }

    private static Optional<String> alias(X509ExtendedKeyManager km) {
        for (String type : KEY_TYPES) {
            String[] aliases = km.getServerAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                return Optional.of(aliases[0]);
            }
        }
        return Optional.empty();
    }

    static Optional<X509Certificate> leaf(X509ExtendedKeyManager km) {
        return alias(km).map(km::getCertificateChain).filter(chain -> chain.length > 0).map(chain -> chain[0]);
    }

    /** Signs with the private key and verifies with the certificate: a mismatched pair would fail every handshake. */
    static boolean keyMatchesCertificate(X509ExtendedKeyManager km) {
        Optional<String> alias = alias(km);
        if (alias.isEmpty()) {
            return false;
        }
        PrivateKey key = km.getPrivateKey(alias.get());
        Optional<X509Certificate> cert = leaf(km);
        if (key == null || cert.isEmpty()) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // An algorithm we cannot test; the registry loaded it, trust that.
        }
        try {
            byte[] probe = "probe-rewriter key check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.get().getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
