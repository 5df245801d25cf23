package io.proberewriter.certificates;

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
 * The certificate rules in one place, free of I/O: given what the Secrets hold and the time, what they should hold.
 * <ul>
 *   <li>A CA is replaced when it is missing, unusable, or at two thirds of its life. The old CA stays in the trust
 *       bundle until it expires, so serving certificates it signed keep working while replicas switch over.</li>
 *   <li>The serving certificate is replaced when it is missing, does not match its key, was not signed by the
 *       signing CA, names other DNS names, or is at two thirds of its life.</li>
 * </ul>
 */
public final class CertificatePlanner {

    private final CertificateIssuer issuer;
    private final List<String> dnsNames;
    private final Duration caValidity;
    private final Duration servingValidity;

    public CertificatePlanner(CertificateIssuer issuer, List<String> dnsNames, Duration caValidity,
                              Duration servingValidity) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
        }
        this.issuer = issuer;
        this.dnsNames = List.copyOf(dnsNames);
        this.caValidity = caValidity;
        this.servingValidity = servingValidity;
    }

    /** The DNS names a client may use for the Service {@code service} in {@code namespace}. */
    public static List<String> serviceDnsNames(String service, String namespace) {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local",
                service + "." + namespace, service);
    }

    public CertificatePlan plan(CertificateState current, Instant now) {
        List<String> reasons = new ArrayList<>();
        Optional<KeyPairWithCertificate> currentCa = current.signingCa();
        Optional<String> caProblem = caProblem(currentCa, now);
        KeyPairWithCertificate ca;
        if (caProblem.isPresent()) {
            reasons.add("new CA: " + caProblem.get());
            ca = issuer.newCertificateAuthority("probe-rewriter-ca", now, caValidity);
        } else {
            ca = currentCa.get();
        }

        List<X509Certificate> trusted = new ArrayList<>();
        trusted.add(ca.certificate());
        List<X509Certificate> previous = new ArrayList<>(current.trustedCas());
        currentCa.map(KeyPairWithCertificate::certificate).ifPresent(previous::add);
        for (X509Certificate old : previous) {
            boolean expired = !now.isBefore(old.getNotAfter().toInstant());
            if (!expired && !contains(trusted, old)) {
                trusted.add(old);
            }
        }

        Optional<String> servingProblem = caProblem.isPresent()
                ? Optional.of("the CA changed")
                : servingProblem(current.serving(), ca, now);
        KeyPairWithCertificate serving;
        if (servingProblem.isPresent()) {
            reasons.add("new serving certificate: " + servingProblem.get());
            serving = issuer.newServingCertificate(ca, dnsNames, now, servingValidity);
        } else {
            serving = current.serving().get();
        }

        Instant next = RenewalTime.of(ca.certificate());
        Instant servingRenewal = RenewalTime.of(serving.certificate());
        if (servingRenewal.isBefore(next)) {
            next = servingRenewal;
        }
        for (X509Certificate old : trusted.subList(1, trusted.size())) {
            Instant leaves = old.getNotAfter().toInstant();
            if (leaves.isBefore(next)) {
                next = leaves;
            }
        }
        return new CertificatePlan(ca, trusted, serving, caProblem.isPresent(), servingProblem.isPresent(), next,
                reasons);
    }

    private static Optional<String> caProblem(Optional<KeyPairWithCertificate> ca, Instant now) {
        if (ca.isEmpty()) {
            return Optional.of("none yet");
        }
        X509Certificate certificate = ca.get().certificate();
        if (certificate.getBasicConstraints() < 0) {
            return Optional.of("the stored certificate is not a CA");
        }
        if (!keyMatches(ca.get())) {
            return Optional.of("the stored key does not match the CA certificate");
        }
        if (RenewalTime.due(certificate, now)) {
            return Optional.of("renewal due since " + RenewalTime.of(certificate));
        }
        return Optional.empty();
    }

    private Optional<String> servingProblem(Optional<KeyPairWithCertificate> serving, KeyPairWithCertificate ca,
                                            Instant now) {
        if (serving.isEmpty()) {
            return Optional.of("none yet");
        }
        X509Certificate certificate = serving.get().certificate();
        if (!keyMatches(serving.get())) {
            return Optional.of("the stored key does not match the certificate");
        }
        if (!signedBy(certificate, ca.certificate())) {
            return Optional.of("not signed by the current CA");
        }
        if (!dnsNamesOf(certificate).equals(new HashSet<>(dnsNames))) {
            return Optional.of("DNS names differ from " + dnsNames);
        }
        if (RenewalTime.due(certificate, now)) {
            return Optional.of("renewal due since " + RenewalTime.of(certificate));
        }
        return Optional.empty();
    }

    private static boolean contains(Collection<X509Certificate> certificates, X509Certificate wanted) {
        return certificates.stream().anyMatch(c -> c.equals(wanted));
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

    private static boolean keyMatches(KeyPairWithCertificate pair) {
        return KeyMatch.matches(pair.key(), pair.certificate());
    }
}
