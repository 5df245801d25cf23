package io.proberewriter.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.config.AdmissionPort;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * The certificate the HTTPS port serves, kept current from its {@link CertificateSource}
 * ({@code probe-rewriter.tls.source}): PEM files checked every reload period, or the operator's Secret, watched.
 * Until a first version has been taken nothing is served and the replica is not ready.
 * <p>
 * A version is taken into service only if its key matches its certificate and it is valid now: a pair caught
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

    private final CertificateSource source;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Wakeups wakeups;
    private volatile ReloadingKeyManager keyManager;
    /** Why no usable certificate is served (handshakes fail), or null while one is. */
    private volatile String notServing;
    /** Why the source's latest version is not served (it was refused), or null. */
    private volatile String refused;
    private volatile byte[] servedFingerprint;
    /** The version last refused: a refusal is said once per version, not once per reload period. */
    private byte[] refusedFingerprint;
    /** A certificate refused only because its validity has not begun yet: served once it has. */
    private Candidate waiting;

    /** A certificate and key offered for service; {@code fingerprint} identifies the version, if its source can. */
    private record Candidate(X509ExtendedKeyManager keyManager, String origin, byte[] fingerprint) {
    }

    @Inject
    ServingCertificate(CertificateSource source, Vertx vertx, MeterRegistry meters, Clock clock) {
        this(source, meters, clock, (when, action) -> {
            long delay = Math.max(1, Duration.between(clock.instant(), when).toMillis());
            vertx.setTimer(delay, id -> vertx.executeBlocking(() -> {
                action.run();
                return null;
            }, false));
        });
    }

    ServingCertificate(CertificateSource source, MeterRegistry meters, Clock clock, Wakeups wakeups) {
        this.source = source;
        this.meters = meters;
        this.clock = clock;
        this.wakeups = wakeups;
    }

    /** The key manager for the HTTPS server; built from the source's first version on first use. */
    synchronized ReloadingKeyManager keyManager() {
        if (keyManager != null) {
            return keyManager;
        }
        keyManager = new ReloadingKeyManager(NoCertificateYet.INSTANCE);
        notServing = source.nothingServedYet();
        Optional<CertificateVersion> initial = source.initial();
        if (initial.isEmpty()) {
            return keyManager;
        }
        CertificateVersion first = initial.get();
        X509ExtendedKeyManager read = first.keyManager().get().orElseThrow(() -> new IllegalStateException(
                first.origin() + " cannot be read as a certificate and key"));
        Optional<String> refusal = take(new Candidate(read, first.origin(), first.fingerprint()));
        if (refusal.isPresent()) {
            // Not ready, and watching: a corrected version is picked up like any renewal.
            refusedFingerprint = first.fingerprint();
            LOG.errorf("The serving certificate %s is not served: %s; not ready until a valid one is there",
                    first.origin(), refusal.get());
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
        source.problem().ifPresent(problems::add);
        Optional.ofNullable(refused).ifPresent(problems::add);
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /** The expiry gauge, once registered. */
    private volatile Gauge expiryGauge;

    void start(@Observes StartupEvent event, AdmissionPort port) {
        if (!port.listening()) {
            return; // The operator's process: no HTTPS port, nothing to serve.
        }
        if (!source.configured()) {
            return; // No HTTPS server (dev mode without certificate files).
        }
        keyManager();
        // Registered at startup, not when the HTTP server first asks for the key manager: the metrics registry is
        // complete by then. A strong reference, because Micrometer holds gauge objects weakly by default.
        expiryGauge = Gauge.builder("probe_rewriter_serving_certificate_expiry", this,
                        c -> c.certificate().map(x -> x.getNotAfter().getTime() / 1000.0).orElse(Double.NaN))
                .description("When the served certificate expires, in seconds since the epoch").baseUnit("seconds")
                .strongReference(true)
                .register(meters);
        source.start(this::offer);
    }

    void stop(@Observes ShutdownEvent event) {
        source.stop();
        // A registry that outlives this instance (an application restarted in the same JVM) would otherwise keep
        // answering with the old instance's certificate: registering the same name again returns the old gauge.
        if (expiryGauge != null) {
            meters.remove(expiryGauge);
        }
    }

    /**
     * Judges a version from the source: served from the next handshake on if its key matches its certificate and
     * it is valid now; otherwise the current certificate stays, and one that is only early is served once it is
     * valid. A version the source identifies is judged once: offered again, it changes nothing (or, when it is the
     * one in service again after a refused one, clears the refusal). Returns true when a new certificate is now
     * served.
     */
    synchronized boolean offer(CertificateVersion version) {
        byte[] fingerprint = version.fingerprint();
        if (fingerprint != null) {
            if (Arrays.equals(fingerprint, servedFingerprint)) {
                // Back to what is served (a refused version was rolled back): nothing is refused any more.
                refused = null;
                refusedFingerprint = null;
                waiting = null;
                return false;
            }
            if (waiting != null && Arrays.equals(fingerprint, waiting.fingerprint())) {
                return serveWaitingIfDue();
            }
            if (Arrays.equals(fingerprint, refusedFingerprint)) {
                return false; // Said once already.
            }
            refusedFingerprint = fingerprint;
        }
        Optional<X509ExtendedKeyManager> next = version.keyManager().get();
        if (next.isEmpty()) {
            refuse(version.refusedAs() + "could not be read as a certificate and key");
            return false;
        }
        Optional<String> refusal = take(new Candidate(next.get(), version.origin(), fingerprint));
        if (refusal.isPresent()) {
            refuse(version.refusedAs() + refusal.get());
            return false;
        }
        leaf(next.get()).ifPresent(cert -> LOG.infof("%s: %s, valid until %s", version.servedAs(),
                cert.getSubjectX500Principal().getName(), cert.getNotAfter().toInstant()));
        return true;
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

    /** A source reports no new version when a certificate merely becomes valid: look again then. */
    private void serveWhenValid(Candidate candidate, Instant notBefore) {
        // A little after notBefore, so that the validity check, to the millisecond, is certain to pass.
        wakeups.at(notBefore.plusMillis(100), () -> {
            synchronized (this) {
                if (waiting == candidate) {
                    serveWaitingIfDue();
                }
            }
        });
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
