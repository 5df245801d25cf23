package io.proberewriter.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.certificates.KeyMatch;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.TlsSource;
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
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * The certificate the HTTPS port serves, kept current from its source ({@code probe-rewriter.tls.source}).
 * <ul>
 *   <li>{@code files}: the PEM files are read through the Quarkus TLS registry (configuration
 *       {@value #TLS_CONFIGURATION}); every reload period their bytes are compared with what is served, and on a
 *       change the registry reloads them.</li>
 *   <li>{@code secret}: {@link ServingSecretWatch} hands over each version of the operator's Secret; until the
 *       first arrives nothing is served and the replica is not ready.</li>
 * </ul>
 * Either way the new key is checked against the new certificate before the {@link ReloadingKeyManager} switches
 * over. A bad pair (a copy caught half-way) is not used: the old certificate stays until a whole one arrives.
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
        if (keyManager == null && config.tls().source() == TlsSource.SECRET) {
            keyManager = new ReloadingKeyManager(NoCertificateYet.INSTANCE);
            usable = false;
        } else if (keyManager == null) {
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
        boolean files = config.tls().source() == TlsSource.FILES;
        if (files && registry.get(TLS_CONFIGURATION).isEmpty()) {
            return; // No HTTPS server (dev mode without certificate files).
        }
        keyManager();
        // Registered at startup, not when the HTTP server first asks for the key manager: the metrics registry is
        // complete by then. A strong reference, because Micrometer holds gauge objects weakly by default.
        Gauge.builder("probe_rewriter_serving_certificate_expiry", this,
                        c -> c.certificate().map(x -> x.getNotAfter().getTime() / 1000.0).orElse(Double.NaN))
                .description("When the served certificate expires, in seconds since the epoch").baseUnit("seconds")
                .strongReference(true)
                .register(meters);
        if (!files) {
            return;
        }
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

    /**
     * Serves {@code next} from the next handshake on, if its key matches its certificate. Returns false (and keeps
     * the current certificate) otherwise.
     */
    synchronized boolean serve(X509ExtendedKeyManager next, String origin) {
        if (!keyMatchesCertificate(next)) {
            LOG.warnf("The certificate in %s does not match its key; still serving the previous one", origin);
            return false;
        }
        keyManager().swap(next);
        usable = true;
        leaf(next).ifPresent(cert -> LOG.infof("Serving certificate from %s: %s, valid until %s", origin,
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
        return KeyMatch.matches(key, cert.get());
    }
}
