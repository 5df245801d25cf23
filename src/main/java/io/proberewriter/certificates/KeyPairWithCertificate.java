package io.proberewriter.certificates;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate and the private key of its public key. */
public record KeyPairWithCertificate(X509Certificate certificate, PrivateKey key) {
}
