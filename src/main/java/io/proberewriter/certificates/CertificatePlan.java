package io.proberewriter.certificates;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the Secrets and the webhook configuration should hold after this reconciliation, and when to look again.
 *
 * @param newestCa    the newest CA; it signs once it has been trusted long enough (see {@link CertificatePlanner})
 * @param previousCa  the CA before it, while it has not expired
 * @param trustedCas  every CA the API server must trust: the newest first, then older ones until they expire
 * @param serving     the certificate the webhook serves
 * @param nextCheck   the earliest moment something is due: a renewal, a CA starting to sign, an old CA expiring
 * @param reasons     what changed and why, for the log; empty when nothing did
 */
public record CertificatePlan(KeyPairWithCertificate newestCa, Optional<KeyPairWithCertificate> previousCa,
                              List<X509Certificate> trustedCas, KeyPairWithCertificate serving, Instant nextCheck,
                              List<String> reasons) {

    public CertificatePlan {
        trustedCas = List.copyOf(trustedCas);
        reasons = List.copyOf(reasons);
    }
}
