package io.proberewriter.certificates;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What the two Secrets hold, as read: the CA that signs, every CA the webhook configuration should trust, and the
 * serving certificate. Anything missing or unreadable is simply absent: the planner replaces it.
 */
public record CertificateState(Optional<KeyPairWithCertificate> signingCa, List<X509Certificate> trustedCas,
                               Optional<KeyPairWithCertificate> serving) {

    public static final CertificateState EMPTY = new CertificateState(Optional.empty(), List.of(), Optional.empty());

    public CertificateState {
        trustedCas = List.copyOf(trustedCas);
    }
}
