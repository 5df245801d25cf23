package io.proberewriter.certificates;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM in and out, as Kubernetes Secrets of type {@code kubernetes.io/tls} hold it. Keys are written as PKCS#8
 * ("BEGIN PRIVATE KEY"), which every PEM reader takes; reading also accepts SEC1/PKCS#1 key pairs.
 */
public final class PemCodec {

    private PemCodec() {
    }

    public static String encode(Collection<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    public static String encode(X509Certificate certificate) {
        return write(certificate);
    }

    public static String encode(PrivateKey key) {
        try {
            // Explicitly PKCS#8: given the key itself, the writer would choose SEC1 for EC keys.
            return write(new JcaPKCS8Generator(key, null).generate());
        } catch (PemGenerationException e) {
            throw new IllegalStateException("cannot encode the private key: " + e.getMessage(), e);
        }
    }

    /**
     * Every certificate in the text; empty when there is none or a certificate block does not hold one. Text around and
     * between the blocks is skipped, as Go's PEM decoder (the API server's, for a caBundle) skips it, and so are blocks
     * of other types. The blocks are found here rather than by {@link CertificateFactory}, which takes text that starts
     * with {@code 0} (the byte of DER's SEQUENCE) for DER, and so read no certificate at all from a bundle with such a
     * line before or between its blocks.
     */
    public static List<X509Certificate> certificates(String pem) {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                if (block.getType().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(block.getContent())));
                }
            }
            return List.copyOf(certificates);
        } catch (CertificateException | IOException | RuntimeException e) {
            // Not certificates (bad base64, a block that is no DER certificate): none, as the callers expect.
            return List.of();
        }
    }

    /** The first private key in the text, if it holds a readable one. */
    public static Optional<PrivateKey> privateKey(String pem) {
        if (pem == null || pem.isBlank()) {
            return Optional.empty();
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return Optional.of(converter.getPrivateKey(info));
                }
                if (object instanceof PEMKeyPair pair) {
                    return Optional.of(converter.getKeyPair(pair).getPrivate());
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String write(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
