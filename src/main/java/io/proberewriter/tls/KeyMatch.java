package io.proberewriter.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: signs a few bytes and verifies them with the certificate's public
 * key. A mismatched pair (a Secret caught half-way through an update) would fail every TLS handshake.
 */
public final class KeyMatch {

    private static final byte[] SAMPLE = "probe-rewriter key check".getBytes(StandardCharsets.US_ASCII);

    private KeyMatch() {
    }

    /** True when they match, and for key algorithms this check cannot test (whoever loaded them vouched for them). */
    public static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(SAMPLE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(SAMPLE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
