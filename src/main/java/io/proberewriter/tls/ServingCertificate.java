package io.proberewriter.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.certificates.KeyMatch;
import io.proberewriter.config.AdmissionPort;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.TlsSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * Either way a certificate is taken into service only if its key matches it and it is valid now: a pair caught
 * half-way through a copy, an expired certificate or one whose validity has not begun would fail every API server
 * call, so the certificate already served stays until a good one arrives, and {@link #problem()} says why. A
 * certificate refused only because it is not valid yet is served as soon as it is. One that expires while in
 * service stays (there is nothing better to serve); readiness reports it.
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
    private final MeterRegistry meters;
    private final Clock clock;
    private volatile ReloadingKeyManager keyManager;
    /** Why no usable certificate is served (handshakes fail), or null while one is. */
    private volatile String notServing;
    /** Why the source's latest version is not served (it was refused), or null. */
    private volatile String refused;
    /** Why the source cannot be read right now (files gone, Secret deleted), or null. */
    private volatile String sourceGone;
    private volatile byte[] servedFingerprint;
    /** The files' version last refused: a refusal is said once per version, not once per reload period. */
    private byte[] refusedFingerprint;
    /** A certificate refused only because its validity has not begun yet: served once it has. */
    private Candidate waiting;
    private volatile long timer = -1;

    /** A certificate and key offered for service; {@code fingerprint} identifies the files' version, if any. */
    private record Candidate(X509ExtendedKeyManager keyManager, String origin, byte[] fingerprint) {
    }

    @Inject
    ServingCertificate(TlsConfigurationRegistry registry, Vertx vertx, ProbeRewriterConfig config,
                       MeterRegistry meters) {
        this(registry, vertx, config, meters, Clock.systemUTC());
    }

    ServingCertificate(TlsConfigurationRegistry registry, Vertx vertx, ProbeRewriterConfig config,
                       MeterRegistry meters, Clock clock) {
        this.registry = registry;
        this.vertx = vertx;
        this.config = config;
        this.meters = meters;
        this.clock = clock;
    }

    /** The key manager for the HTTPS server; built from the registry on first use. */
    synchronized ReloadingKeyManager keyManager() {
        if (keyManager != null) {
            return keyManager;
        }
        keyManager = new ReloadingKeyManager(NoCertificateYet.INSTANCE);
        if (config.tls().source() == TlsSource.SECRET) {
            notServing = "no certificate yet from Secret " + config.namespace() + "/" + config.tls().secretName();
            return keyManager;
        }
        String origin = "files " + config.tls().certFile() + " and " + config.tls().keyFile();
        notServing = "no certificate loaded from " + origin;
        X509ExtendedKeyManager initial = keyManagerOf(configuration()).orElseThrow(() -> new IllegalStateException(
                "the TLS configuration '" + TLS_CONFIGURATION + "' has no usable key and certificate"));
        byte[] fingerprint = fingerprint().orElse(null);
        Optional<String> refusal = take(new Candidate(initial, origin, fingerprint));
        if (refusal.isPresent()) {
            // Not ready, and watching: corrected files are picked up like any renewal.
            refusedFingerprint = fingerprint;
            LOG.errorf("The serving certificate %s is not served: %s; not ready until a valid one is there",
                    origin, refusal.get());
        }
        return keyManager;
    }

    /** The certificate being served now, if there is one that handshakes can use. */
    public Optional<X509Certificate> certificate() {
        ReloadingKeyManager km = keyManager;
        return km == null || notServing != null ? Optional.empty() : leaf(km.current());
    }

    /** Why nothing usable is served, when nothing is. */
    public Optional<String> notServingReason() {
        return Optional.ofNullable(notServing);
    }

    /**
     * What is wrong with the source while the certificate in service stays: files that cannot be read, a Secret
     * that was deleted, a new version that was refused (and why).
     */
    public Optional<String> problem() {
        List<String> problems = new ArrayList<>(2);
        Optional.ofNullable(sourceGone).ifPresent(problems::add);
        Optional.ofNullable(refused).ifPresent(problems::add);
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    void start(@Observes StartupEvent event, AdmissionPort port) {
        if (!port.listening()) {
            return; // The operator's process: no HTTPS port, nothing to serve.
        }
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
        if (now.isEmpty()) {
            return false;
        }
        if (Arrays.equals(now.get(), servedFingerprint)) {
            // Back to what is served (a refused version was rolled back): nothing is refused any more.
            refused = null;
            refusedFingerprint = null;
            waiting = null;
            return false;
        }
        if (waiting != null && Arrays.equals(now.get(), waiting.fingerprint())) {
            return serveWaitingIfDue();
        }
        if (Arrays.equals(now.get(), refusedFingerprint)) {
            return false; // Said once already.
        }
        refusedFingerprint = now.get();
        TlsConfiguration tls = configuration();
        Optional<X509ExtendedKeyManager> next = tls.reload() ? keyManagerOf(tls) : Optional.empty();
        if (next.isEmpty()) {
            refuse("Serving certificate files changed but could not be read as a certificate and key");
            return false;
        }
        String origin = "files " + config.tls().certFile() + " and " + config.tls().keyFile();
        Optional<String> refusal = take(new Candidate(next.get(), origin, now.get()));
        if (refusal.isPresent()) {
            refuse("Serving certificate files changed but " + refusal.get());
            return false;
        }
        leaf(next.get()).ifPresent(cert -> LOG.infof("Serving certificate reloaded: %s, valid until %s",
                cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant()));
        return true;
    }

    /**
     * Serves {@code next} from the next handshake on, if its key matches its certificate and it is valid now.
     * Returns false (and keeps the current certificate) otherwise; one that is not valid yet is served once it is.
     */
    synchronized boolean serve(X509ExtendedKeyManager next, String origin) {
        sourceGone = null;
        Optional<String> refusal = take(new Candidate(next, origin, null));
        if (refusal.isPresent()) {
            refuse(origin + ": " + refusal.get());
            return false;
        }
        leaf(next).ifPresent(cert -> LOG.infof("Serving certificate from %s: %s, valid until %s", origin,
                cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant()));
        return true;
    }

    /** The source is gone for now (a deleted Secret); the certificate in service stays, and readiness says so. */
    void sourceGone(String problem) {
        sourceGone = problem;
    }

    /** Logs and records a refused version, saying whether something is still served. */
    private void refuse(String why) {
        String consequence = notServing == null ? "still serving the previous one"
                : "nothing is served until a valid one arrives";
        LOG.warnf("%s; %s", why, consequence);
        refused = why + "; " + consequence;
    }

    /**
     * Puts the candidate into service if it can be used now; otherwise returns why not, and remembers one that is
     * only early, to serve it when its validity begins.
     */
    private Optional<String> take(Candidate candidate) {
        Optional<String> refusal = refusal(candidate.keyManager());
        if (refusal.isEmpty()) {
            keyManager().swap(candidate.keyManager());
            servedFingerprint = candidate.fingerprint();
            notServing = null;
            refused = null;
            refusedFingerprint = null;
            waiting = null;
            return refusal;
        }
        if (notServing != null) {
            notServing = candidate.origin() + ": " + refusal.get();
        }
        Optional<Instant> notBefore = leaf(candidate.keyManager()).map(c -> c.getNotBefore().toInstant())
                .filter(clock.instant()::isBefore);
        if (notBefore.isPresent() && keyMatchesCertificate(candidate.keyManager())) {
            waiting = candidate;
            serveWhenValid(candidate, notBefore.get());
        }
        return refusal;
    }

    /** Why this pair cannot be served now, or empty: no certificate, a key that does not match, outside validity. */
    private Optional<String> refusal(X509ExtendedKeyManager km) {
        Optional<X509Certificate> cert = leaf(km);
        if (cert.isEmpty()) {
            return Optional.of("there is no certificate");
        }
        if (!keyMatchesCertificate(km)) {
            return Optional.of("the key does not match the certificate (a copy in progress?)");
        }
        return outsideValidity(cert.get(), clock.instant());
    }

    /**
     * "the certificate (CN=…) expired at …" or "… is not valid before …", or empty when it is valid at {@code now}.
     * The API server checks the same bounds and would fail every call.
     */
    static Optional<String> outsideValidity(X509Certificate cert, Instant now) {
        String certificate = "the certificate (" + cert.getSubjectX500Principal().getName() + ")";
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            return Optional.of(certificate + " is not valid before " + notBefore);
        }
        if (now.isAfter(notAfter)) {
            return Optional.of(certificate + " expired at " + notAfter);
        }
        return Optional.empty();
    }

    /** The Secret's watch reports no new version when a certificate merely becomes valid: look again then. */
    private void serveWhenValid(Candidate candidate, Instant notBefore) {
        long delay = Math.max(1, Duration.between(clock.instant(), notBefore).toMillis() + 100);
        vertx.setTimer(delay, id -> vertx.executeBlocking(() -> {
            synchronized (this) {
                if (waiting == candidate) {
                    serveWaitingIfDue();
                }
            }
            return null;
        }, false));
    }

    private boolean serveWaitingIfDue() {
        Candidate candidate = waiting;
        if (candidate == null || refusal(candidate.keyManager()).isPresent()) {
            return false;
        }
        take(candidate);
        leaf(candidate.keyManager()).ifPresent(cert -> LOG.infof(
                "Serving certificate from %s now that its validity has begun: %s, valid until %s", candidate.origin(),
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

    /**
     * Both files' bytes, hashed: what changes when the Secret is updated. Files that cannot be read are reported
     * once, at WARN, and in readiness' data until they are back: the kubelet never removes them while it updates a
     * mounted Secret, so a missing file means a changed mount or a deleted key.
     */
    private Optional<byte[]> fingerprint() {
        Path certFile = Path.of(config.tls().certFile());
        Path keyFile = Path.of(config.tls().keyFile());
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(certFile));
            digest.update(Files.readAllBytes(keyFile));
            if (sourceGone != null) {
                LOG.infof("Serving certificate files %s and %s can be read again", certFile, keyFile);
                sourceGone = null;
            }
            return Optional.of(digest.digest());
        } catch (IOException | GeneralSecurityException e) {
            String problem = "cannot read " + (e instanceof NoSuchFileException missing ? missing.getFile()
                    + ": no such file" : e.toString()) + "; still serving the certificate read before";
            if (sourceGone == null) {
                LOG.warnf("Serving certificate files: %s", problem);
            }
            sourceGone = problem;
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
