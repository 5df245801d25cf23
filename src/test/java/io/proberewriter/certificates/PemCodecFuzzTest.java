package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing (Jazzer) of PEM read from Secrets, whose text anyone who can write the Secret (or the
 * webhook configuration's caBundle) controls: whatever the text, {@link PemCodec} answers (a list, an optional), never
 * an exception; and what it wrote itself, a certificate and a key between fuzzed lines that hold no PEM boundary
 * (comments, as {@code openssl} prints them before a block), reads back as it was. See
 * {@link io.proberewriter.webhook.AdmissionFuzzTest} for how fuzz tests run.
 */
class PemCodecFuzzTest {

    private static final KeyPairWithCertificate CA = new CertificateIssuer().newCertificateAuthority("fuzz",
            Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(365));
    private static final String CERTIFICATE = PemCodec.encode(CA.certificate());
    private static final String KEY = PemCodec.encode(CA.key());

    // libFuzzer's dictionary format takes no line breaks: the boundaries come without theirs.
    @DictionaryEntries({"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----",
            "-----END PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
            "Proc-Type: 4,ENCRYPTED", "MII", "MHc", "="})
    @FuzzTest(maxDuration = "10m")
    void readsWhatItWasGiven(FuzzedDataProvider data) {
        String before = data.consumeString(200);
        String after = data.consumeString(200);
        String any = data.consumeRemainingAsString();
        // Any text, and any text around our own blocks: an answer, never an exception.
        for (String text : List.of(any, before + CERTIFICATE + after, before + KEY + after, any + CERTIFICATE,
                CERTIFICATE + any)) {
            assertNotNull(PemCodec.certificates(text));
            assertNotNull(PemCodec.privateKey(text));
        }
        if (before.contains("-----") || after.contains("-----")) {
            return;
        }
        String prefix = before.isEmpty() || before.endsWith("\n") ? before : before + "\n";
        String suffix = after.isEmpty() || after.startsWith("\n") ? after : "\n" + after;
        List<X509Certificate> read = PemCodec.certificates(prefix + CERTIFICATE + suffix);
        assertEquals(List.of(CA.certificate()), read, () -> "the certificate between " + quoted(prefix) + " and "
                + quoted(suffix));
        // Compared by value: which provider's key class comes back depends on whether Bouncy Castle's provider was
        // registered before (by another test in the same JVM), and keys of two providers are never equal, nor are
        // their encodings always the same bytes (Bouncy Castle's may carry the public point).
        assertEquals(Optional.of(secret(CA.key())), PemCodec.privateKey(prefix + KEY + suffix).map(PemCodecFuzzTest::secret),
                () -> "the key between " + quoted(prefix) + " and " + quoted(suffix));
    }

    /** What makes the private key this key, whatever class its provider gives it. */
    private static String secret(java.security.PrivateKey key) {
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            return "EC " + ec.getS();
        }
        if (key instanceof java.security.interfaces.RSAPrivateKey rsa) {
            return "RSA " + rsa.getModulus() + " " + rsa.getPrivateExponent();
        }
        return key.getAlgorithm() + " " + java.util.HexFormat.of().formatHex(key.getEncoded());
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\n", "\\n").replace("\r", "\\r") + "\"";
    }
}
