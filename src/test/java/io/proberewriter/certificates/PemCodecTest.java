package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Certificates read from a Secret or a caBundle as Go's PEM decoder reads them: the blocks, whatever is around. */
class PemCodecTest {

    private static final KeyPairWithCertificate A = new CertificateIssuer().newCertificateAuthority("a",
            Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(365));
    private static final KeyPairWithCertificate B = new CertificateIssuer().newCertificateAuthority("b",
            Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(365));

    /** Java's own reader takes text starting with "0" (DER's SEQUENCE byte) for DER, and so read none of them. */
    @Test
    void aLineStartingWithZeroBeforeOrBetweenBlocksIsSkipped() {
        String a = PemCodec.encode(A.certificate());
        String b = PemCodec.encode(B.certificate());
        assertEquals(List.of(A.certificate()), PemCodec.certificates("0 expires 2027\n" + a));
        assertEquals(List.of(A.certificate(), B.certificate()), PemCodec.certificates(a + "0\n" + b));
    }

    @Test
    void blocksOfOtherTypesAreSkippedAndABrokenCertificateMeansNone() {
        String a = PemCodec.encode(A.certificate());
        assertEquals(List.of(A.certificate()), PemCodec.certificates(PemCodec.encode(A.key()) + a));
        assertEquals(List.of(), PemCodec.certificates(a + "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
        assertEquals(List.of(), PemCodec.certificates("not PEM"));
    }
}
