package io.proberewriter.tls;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code kubernetes.io/tls} layout of the serving Secret: the contract between the webhook, which reads it, and
 * whoever writes it (the operator, or cert-manager for a mounted Secret). It lives on the reading side so that
 * serving needs no operator code: the operator's own Secret layout builds on it.
 */
public final class TlsSecretLayout {

    /** The serving certificate chain, leaf first. */
    public static final String TLS_CERT = "tls.crt";
    /** The private key of the leaf. */
    public static final String TLS_KEY = "tls.key";
    /** The CAs a client should trust. */
    public static final String CA_CERT = "ca.crt";

    private TlsSecretLayout() {
    }

    /** A data entry decoded, or {@code stringData} if someone wrote it that way; null when absent or not base64. */
    public static String text(Secret secret, String key) {
        String encoded = Optional.ofNullable(secret.getData()).map(d -> d.get(key)).orElse(null);
        if (encoded == null) {
            return Optional.ofNullable(secret.getStringData()).map(d -> d.get(key)).orElse(null);
        }
        try {
            return new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
