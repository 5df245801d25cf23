package io.proberewriter.certificates;

import static io.proberewriter.tls.TlsSecretLayout.text;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.proberewriter.tls.TlsSecretLayout;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How the certificates are laid out in the two Secrets. The CA's key lives in its own Secret, which no pod
 * mounts; the serving Secret has the {@code kubernetes.io/tls} layout, so any consumer that knows that type can
 * read it ({@link TlsSecretLayout}), with the trusted CAs in {@code ca.crt}.
 */
public final class CertificateSecrets {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    /** The CA before the newest, kept (with its key) while it may still sign: see {@link CertificatePlanner}. */
    public static final String PREVIOUS_CA_CERT = "previous-ca.crt";
    public static final String PREVIOUS_CA_KEY = "previous-ca.key";
    /** Every CA the API server should trust: the signing CA, then older ones until they expire. */
    public static final String CA_BUNDLE = "ca-bundle.crt";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "probe-rewriter";

    private CertificateSecrets() {
    }

    /** Reads whatever of the state the Secrets hold; unreadable parts are left out. */
    public static CertificateState read(Optional<Secret> caSecret, Optional<Secret> servingSecret) {
        return read(caSecret, servingSecret, List.of());
    }

    /**
     * The same, with what the API server trusts now ({@code liveBundle}, the webhook configuration's caBundle)
     * counted as trusted too, besides the CA Secret's bundle and the serving Secret's {@code ca.crt}. A CA Secret
     * that was deleted takes its bundle with it; the CA that signed the certificate being served must still stay
     * trusted until a new one has propagated, or the API server would refuse the very next call.
     */
    public static CertificateState read(Optional<Secret> caSecret, Optional<Secret> servingSecret,
                                        List<X509Certificate> liveBundle) {
        Optional<KeyPairWithCertificate> ca = caSecret.flatMap(s -> pair(s, CA_CERT, CA_KEY));
        Optional<KeyPairWithCertificate> previous = caSecret.flatMap(s -> pair(s, PREVIOUS_CA_CERT, PREVIOUS_CA_KEY));
        List<X509Certificate> trusted = new ArrayList<>();
        caSecret.ifPresent(s -> addNew(trusted, PemCodec.certificates(text(s, CA_BUNDLE))));
        servingSecret.ifPresent(s -> addNew(trusted, PemCodec.certificates(text(s, TlsSecretLayout.CA_CERT))));
        addNew(trusted, liveBundle);
        Optional<KeyPairWithCertificate> serving = servingSecret
                .flatMap(s -> pair(s, TlsSecretLayout.TLS_CERT, TlsSecretLayout.TLS_KEY));
        return new CertificateState(ca, previous, trusted, serving);
    }

    /** The CAs a webhook configuration's caBundle field holds (base64 of PEM); none when absent or unreadable. */
    public static List<X509Certificate> fromCaBundle(String caBundle) {
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        try {
            return PemCodec.certificates(new String(Base64.getMimeDecoder().decode(caBundle),
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static void addNew(List<X509Certificate> into, List<X509Certificate> certificates) {
        certificates.stream().filter(c -> c.getBasicConstraints() >= 0 && !into.contains(c)).forEach(into::add);
    }

    public static Secret caSecret(String namespace, String name, CertificatePlan plan) {
        Map<String, String> data = new TreeMap<>();
        data.put(CA_CERT, PemCodec.encode(plan.newestCa().certificate()));
        data.put(CA_KEY, PemCodec.encode(plan.newestCa().key()));
        data.put(CA_BUNDLE, PemCodec.encode(plan.trustedCas()));
        plan.previousCa().ifPresent(previous -> {
            data.put(PREVIOUS_CA_CERT, PemCodec.encode(previous.certificate()));
            data.put(PREVIOUS_CA_KEY, PemCodec.encode(previous.key()));
        });
        return secret(namespace, name, "Opaque", data);
    }

    public static Secret servingSecret(String namespace, String name, CertificatePlan plan) {
        return secret(namespace, name, "kubernetes.io/tls", Map.of(
                TlsSecretLayout.TLS_CERT, PemCodec.encode(plan.serving().certificate()),
                TlsSecretLayout.TLS_KEY, PemCodec.encode(plan.serving().key()),
                TlsSecretLayout.CA_CERT, PemCodec.encode(plan.trustedCas())));
    }

    /** The caBundle field of a webhook's clientConfig: base64 of the PEM bundle. */
    public static String caBundle(CertificatePlan plan) {
        return Base64.getEncoder().encodeToString(PemCodec.encode(plan.trustedCas()).getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether two Secrets carry the same data; metadata (resourceVersion, managedFields) aside. */
    public static boolean sameData(Secret a, Secret b) {
        return new TreeMap<>(Optional.ofNullable(a.getData()).orElse(Map.of()))
                .equals(new TreeMap<>(Optional.ofNullable(b.getData()).orElse(Map.of())))
                && java.util.Objects.equals(a.getType(), b.getType());
    }

    private static Secret secret(String namespace, String name, String type, Map<String, String> text) {
        Map<String, String> data = new TreeMap<>();
        text.forEach((key, value) -> data.put(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII))));
        return new SecretBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels("app.kubernetes.io/name", "probe-rewriter")
                .addToLabels(MANAGED_BY, MANAGER)
                .endMetadata()
                .withType(type)
                .withData(data)
                .build();
    }

    private static Optional<KeyPairWithCertificate> pair(Secret secret, String certKey, String keyKey) {
        List<X509Certificate> chain = PemCodec.certificates(text(secret, certKey));
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        return PemCodec.privateKey(text(secret, keyKey)).map(key -> new KeyPairWithCertificate(chain.get(0), key));
    }
}
