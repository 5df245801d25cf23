package io.proberewriter.certificates;

import io.proberewriter.tls.KeyMatch;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The certificate rules in one place, free of I/O: given what the Secrets hold and the time, what they should
 * hold. A renewal must never make the API server see a certificate it does not trust, hence:
 * <ul>
 *   <li>A CA is replaced at two thirds of its life (or at once when missing or unusable). The CA before it stays
 *       trusted until it expires.</li>
 *   <li>A new CA signs only after it has been in the trust bundle for the propagation delay, the time the API
 *       server needs to see the new caBundle; until then the previous CA goes on signing. (At the first start
 *       there is no previous CA and nothing to break: the new one signs at once.)</li>
 *   <li>The serving certificate is replaced at once when the API server would refuse it: missing, not matching
 *       its key, not signed by a trusted CA, expired, or not naming the host the API server dials. It is replaced
 *       like a renewal, by whichever CA may sign at the time, when only its renewal time has come (two thirds of
 *       its life) or when it names the dialled host but not exactly our DNS names (cert-manager's certificate,
 *       met when an install moves to the operator). It never outlives the CA that signed it, so it is always
 *       replaced before that CA expires and leaves the bundle.</li>
 * </ul>
 */
public final class CertificatePlanner {

    static final String CA_COMMON_NAME = "probe-rewriter-ca";

    private final CertificateIssuer issuer;
    private final List<String> dnsNames;
    /** The first of the DNS names: the host the API server dials ({@code <service>.<namespace>.svc}). */
    private final String dialledHost;
    private final Duration caValidity;
    private final Duration servingValidity;
    private final Duration propagation;

    public CertificatePlanner(CertificateIssuer issuer, List<String> dnsNames, Duration caValidity,
                              Duration servingValidity, Duration propagation) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
        }
        this.issuer = issuer;
        this.dnsNames = List.copyOf(dnsNames);
        this.dialledHost = dnsNames.get(0);
        this.caValidity = caValidity;
        this.servingValidity = servingValidity;
        this.propagation = propagation;
    }

    /**
     * The DNS names a client may use for the Service {@code service} in {@code namespace}; the first is the one the
     * API server dials for a webhook whose clientConfig names the Service.
     */
    public static List<String> serviceDnsNames(String service, String namespace) {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local",
                service + "." + namespace, service);
    }

    public CertificatePlan plan(CertificateState current, Instant now) {
        List<String> reasons = new ArrayList<>();
        Optional<KeyPairWithCertificate> newest = current.newestCa().filter(ca -> usableCa(ca, now));
        Optional<KeyPairWithCertificate> previous = current.previousCa().filter(ca -> usableCa(ca, now));
        if (newest.isEmpty()) {
            reasons.add(current.newestCa().isEmpty() ? "new CA: none yet" : "new CA: the stored one is unusable");
            newest = Optional.of(issuer.newCertificateAuthority(CA_COMMON_NAME, now, caValidity));
        } else if (RenewalTime.due(newest.get().certificate(), now)) {
            reasons.add("new CA: renewal due since " + RenewalTime.of(newest.get().certificate())
                    + "; the old one stays trusted until it expires");
            previous = newest;
            newest = Optional.of(issuer.newCertificateAuthority(CA_COMMON_NAME, now, caValidity));
        }
        KeyPairWithCertificate ca = newest.get();

        List<X509Certificate> trusted = new ArrayList<>();
        trusted.add(ca.certificate());
        previous.ifPresent(p -> trusted.add(p.certificate()));
        for (X509Certificate old : current.trustedCas()) {
            if (now.isBefore(old.getNotAfter().toInstant()) && !trusted.contains(old)) {
                trusted.add(old);
            }
        }

        Instant signsFrom = CertificateIssuer.issuedAt(ca.certificate()).plus(propagation);
        boolean caPropagated = !now.isBefore(signsFrom);
        KeyPairWithCertificate signer = previous.isPresent() && !caPropagated ? previous.get() : ca;
        Optional<ServingProblem> servingProblem = servingProblem(current.serving(), trusted, now);
        KeyPairWithCertificate serving;
        boolean waitingForPropagation = false;
        if (servingProblem.isPresent() && !servingProblem.get().urgent() && signer == ca && !caPropagated
                && !signedBy(current.serving().get().certificate(), ca.certificate())) {
            // Only renewal is due, the current certificate was signed by an older CA the API server trusts, and the
            // only CA with a key has not propagated yet (the CA Secret was lost with the previous key): the current
            // certificate, still valid, is served until the new CA has propagated or it expires, whichever is
            // first. (A certificate the new CA signed itself shows the API server already trusts it, or never
            // trusted anything: nothing to wait for.)
            waitingForPropagation = true;
            serving = current.serving().get();
            reasons.add("serving certificate kept until the new CA may sign at " + signsFrom + ": "
                    + servingProblem.get().reason());
        } else if (servingProblem.isPresent()) {
            reasons.add("new serving certificate: " + servingProblem.get().reason());
            serving = issuer.newServingCertificate(signer, dnsNames, now, servingValidity);
        } else {
            serving = current.serving().get();
        }

        List<Instant> due = new ArrayList<>();
        due.add(RenewalTime.of(ca.certificate()));
        due.add(waitingForPropagation ? serving.certificate().getNotAfter().toInstant()
                : RenewalTime.of(serving.certificate()));
        if (signer != ca || waitingForPropagation) {
            due.add(signsFrom);
        }
        trusted.subList(1, trusted.size()).forEach(old -> due.add(old.getNotAfter().toInstant()));
        Instant next = due.stream().min(Instant::compareTo).orElseThrow();
        return new CertificatePlan(ca, previous, trusted, serving, next, reasons);
    }

    private static boolean usableCa(KeyPairWithCertificate ca, Instant now) {
        return ca.certificate().getBasicConstraints() >= 0
                && now.isBefore(ca.certificate().getNotAfter().toInstant())
                && KeyMatch.matches(ca.key(), ca.certificate());
    }

    /**
     * Why the serving certificate must be replaced. Urgent: the API server would refuse it (missing, a foreign key,
     * an untrusted signer, expired, the dialled host not named); not urgent: it still works, and may wait for a new
     * CA to propagate (its renewal time has come, or it names other DNS names besides the dialled host).
     */
    private record ServingProblem(String reason, boolean urgent) {
    }

    private Optional<ServingProblem> servingProblem(Optional<KeyPairWithCertificate> serving,
                                                    List<X509Certificate> trusted, Instant now) {
        if (serving.isEmpty()) {
            return Optional.of(new ServingProblem("none yet", true));
        }
        X509Certificate certificate = serving.get().certificate();
        if (!KeyMatch.matches(serving.get().key(), certificate)) {
            return Optional.of(new ServingProblem("the stored key does not match the certificate", true));
        }
        if (trusted.stream().noneMatch(ca -> signedBy(certificate, ca))) {
            return Optional.of(new ServingProblem("not signed by a trusted CA", true));
        }
        if (!now.isBefore(certificate.getNotAfter().toInstant())) {
            return Optional.of(new ServingProblem("expired at " + certificate.getNotAfter().toInstant(), true));
        }
        Set<String> names = dnsNamesOf(certificate);
        if (names.stream().noneMatch(name -> namesHost(name, dialledHost))) {
            return Optional.of(new ServingProblem("does not name " + dialledHost + ", the host the API server dials",
                    true));
        }
        if (!names.equals(new HashSet<>(dnsNames))) {
            // Replacing it with a certificate of a CA the API server has not seen yet would break admissions for
            // the propagation delay; it works as it is, so it waits like a renewal.
            return Optional.of(new ServingProblem("DNS names differ from " + dnsNames, false));
        }
        if (RenewalTime.due(certificate, now)) {
            return Optional.of(new ServingProblem("renewal due since " + RenewalTime.of(certificate), false));
        }
        return Optional.empty();
    }

    /**
     * Whether a certificate's DNS name covers {@code host} as a TLS client checks it: equal ignoring case, or a
     * wildcard standing for the whole leftmost label.
     */
    static boolean namesHost(String dnsName, String host) {
        if (dnsName.equalsIgnoreCase(host)) {
            return true;
        }
        int dot = host.indexOf('.');
        return dnsName.startsWith("*.") && dot > 0 && dnsName.substring(1).equalsIgnoreCase(host.substring(dot));
    }

    static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static Set<String> dnsNamesOf(X509Certificate certificate) {
        Set<String> names = new HashSet<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(String.valueOf(alternative.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return Set.of();
        }
        return names;
    }
}
