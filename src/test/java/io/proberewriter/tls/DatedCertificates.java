package io.proberewriter.tls;

import io.proberewriter.certificates.PemCodec;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed serving certificates for {@code localhost} with whatever validity a test needs — expired, not valid
 * yet — which certificate generators for tests do not offer. ECDSA P-256, as the operator issues them; the key in
 * PKCS#8 PEM, as Vert.x reads it.
 */
public final class DatedCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DatedCertificates() {
    }

    /** A certificate and its key, as PEM text. */
    public record Pem(String certificate, String key, X509Certificate parsed) {

        /** Writes {@code tls.crt} and {@code tls.key} into {@code dir}, creating it. */
        public void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tls.crt"), certificate, StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("tls.key"), key, StandardCharsets.US_ASCII);
        }
    }

    public static Pem issue(String commonName, Instant notBefore, Instant notAfter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Principal subject = new X500Principal("CN=" + commonName);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, RANDOM).setBit(0), Date.from(notBefore), Date.from(notAfter), subject,
                    keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new Pem(PemCodec.encode(certificate), PemCodec.encode(keys.getPrivate()), certificate);
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }
}
