package io.proberewriter.certificates;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What the two Secrets hold, as read: the newest CA, the CA before it (kept while it may still sign or be
 * trusted), every CA the webhook configuration should trust, and the serving certificate. Anything missing or
 * unreadable is simply absent: the planner replaces it.
 */
public record CertificateState(Optional<KeyPairWithCertificate> newestCa, Optional<KeyPairWithCertificate> previousCa,
                               List<X509Certificate> trustedCas, Optional<KeyPairWithCertificate> serving) {

    public static final CertificateState EMPTY =
            new CertificateState(Optional.empty(), Optional.empty(), List.of(), Optional.empty());

    public CertificateState {
        trustedCas = List.copyOf(trustedCas);
    }
}
