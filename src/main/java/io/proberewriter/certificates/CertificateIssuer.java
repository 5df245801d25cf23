package io.proberewriter.certificates;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the webhook's private CA and the serving certificates it signs. ECDSA P-256 keys: quick to generate,
 * accepted by every Kubernetes API server. Validity starts a little in the past (a minute, or a tenth of a short
 * validity) so that a clock a little behind ours (the API server's) already accepts the certificate.
 */
public final class CertificateIssuer {

    private static final Duration MAX_BACKDATE = Duration.ofMinutes(1);

    /** How far before its making a certificate of {@code validity} starts to be valid. */
    static Duration backdate(Duration validity) {
        Duration tenth = validity.dividedBy(10);
        return tenth.compareTo(MAX_BACKDATE) < 0 ? tenth : MAX_BACKDATE;
    }

    /**
     * When a certificate of ours was made. Its validity is backdate + lifetime, and backdate is the smaller of a
     * minute and a tenth of the lifetime, that is of an eleventh of the whole: the inverse of {@link #backdate}.
     */
    public static Instant issuedAt(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Duration whole = Duration.between(notBefore, certificate.getNotAfter().toInstant());
        Duration eleventh = whole.dividedBy(11);
        return notBefore.plus(eleventh.compareTo(MAX_BACKDATE) < 0 ? eleventh : MAX_BACKDATE);
    }
    private static final String SIGNATURE = "SHA256withECDSA";
    private final SecureRandom random = new SecureRandom();

    /** A self-signed CA that may sign end-entity certificates only (path length 0). */
    public KeyPairWithCertificate newCertificateAuthority(String commonName, Instant now, Duration validity) {
        try {
            KeyPair keys = newKeyPair();
            X500Principal subject = new X500Principal("CN=" + commonName + ",O=probe-rewriter");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(backdate(validity))), Date.from(now.plus(validity)), subject, keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new KeyPairWithCertificate(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /** A TLS server certificate for {@code dnsNames}, signed by {@code ca}; it never outlives the CA. */
    public KeyPairWithCertificate newServingCertificate(KeyPairWithCertificate ca, List<String> dnsNames,
                                                       Instant now, Duration validity) {
        try {
            KeyPair keys = newKeyPair();
            Instant notAfter = now.plus(validity);
            Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isAfter(caNotAfter)) {
                notAfter = caNotAfter;
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(now.minus(backdate(validity))), Date.from(notAfter),
                    new X500Principal("CN=" + dnsNames.get(0)), keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                    .map(name -> new GeneralName(GeneralName.dNSName, name)).toArray(GeneralName[]::new)));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(ca.certificate()));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new KeyPairWithCertificate(sign(builder, ca.key()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a serving certificate: " + e.getMessage(), e);
        }
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    /** Positive, 127 random bits: unique without any state (RFC 5280 allows up to 20 octets). */
    private BigInteger serial() {
        return new BigInteger(127, random).setBit(0);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        var contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer);
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }
}
