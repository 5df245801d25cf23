package io.proberewriter.certificates;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What the Secrets and the webhook configuration should hold after this reconciliation, and when to look again.
 *
 * @param signingCa   the CA that signs serving certificates from now on
 * @param trustedCas  every CA the API server must trust: the signing CA first, then older ones until they expire
 * @param serving     the certificate the webhook serves
 * @param caRenewed   whether {@code signingCa} is new (the CA Secret must be written before anything else)
 * @param servingRenewed whether {@code serving} is new
 * @param nextCheck   the earliest moment something is due: a renewal, or an old CA leaving the bundle
 * @param reasons     why anything changed, for the log
 */
public record CertificatePlan(KeyPairWithCertificate signingCa, List<X509Certificate> trustedCas,
                              KeyPairWithCertificate serving, boolean caRenewed, boolean servingRenewed,
                              Instant nextCheck, List<String> reasons) {

    public CertificatePlan {
        trustedCas = List.copyOf(trustedCas);
        reasons = List.copyOf(reasons);
    }
}
