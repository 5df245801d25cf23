package io.proberewriter.tls;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the HTTPS port serves a usable certificate: one is loaded and it is within its validity. The
 * API server would refuse an expired one, and with {@code failurePolicy: Ignore} pods would slip through unseen.
 */
@Readiness
@Singleton
public class ServingCertificateReadiness implements HealthCheck {

    private final ServingCertificate serving;
    private final Clock clock;

    @Inject
    ServingCertificateReadiness(ServingCertificate serving) {
        this(serving, Clock.systemUTC());
    }

    ServingCertificateReadiness(ServingCertificate serving, Clock clock) {
        this.serving = serving;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("serving-certificate");
        Optional<X509Certificate> certificate = serving.certificate();
        if (certificate.isEmpty()) {
            return response.down().withData("reason", "no usable certificate (none loaded, or its key does not match it)").build();
        }
        X509Certificate cert = certificate.get();
        boolean valid = !clock.instant().isAfter(cert.getNotAfter().toInstant())
                && !clock.instant().isBefore(cert.getNotBefore().toInstant());
        return response.status(valid)
                .withData("subject", cert.getSubjectX500Principal().getName())
                .withData("notAfter", cert.getNotAfter().toInstant().toString())
                .build();
    }
}
