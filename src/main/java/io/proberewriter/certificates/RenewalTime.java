package io.proberewriter.certificates;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate is replaced: at two thirds of its life. The last third is the margin for everything that can
 * delay a renewal (an operator that is down, an API server that is unreachable) before anything expires.
 */
public final class RenewalTime {

    private RenewalTime() {
    }

    public static Instant of(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        return notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
    }

    public static boolean due(X509Certificate certificate, Instant now) {
        return !now.isBefore(of(certificate));
    }
}
