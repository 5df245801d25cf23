package io.proberewriter.tls;

import io.proberewriter.config.AdmissionPort;
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
 * The data say why not ({@code reason}), and what is wrong with the certificate's source while the one in service
 * stays ({@code problem}: files that cannot be read, a deleted Secret, a new version refused).
 */
@Readiness
@Singleton
public class ServingCertificateReadiness implements HealthCheck {

    private final ServingCertificate serving;
    private final Clock clock;
    private final boolean listening;

    @Inject
    ServingCertificateReadiness(ServingCertificate serving, AdmissionPort port, Clock clock) {
        this(serving, clock, port.listening());
    }

    ServingCertificateReadiness(ServingCertificate serving, Clock clock, boolean listening) {
        this.serving = serving;
        this.clock = clock;
        this.listening = listening;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("serving-certificate");
        if (!listening) {
            return response.up().withData("serving", "no HTTPS port in this process (the operator)").build();
        }
        Optional<X509Certificate> certificate = serving.certificate();
        if (certificate.isEmpty()) {
            return response.down()
                    .withData("reason", serving.notServingReason().orElse("no certificate loaded"))
                    .build();
        }
        X509Certificate cert = certificate.get();
        Optional<String> outside = ServingCertificate.outsideValidity(cert, clock.instant());
        response.status(outside.isEmpty())
                .withData("subject", cert.getSubjectX500Principal().getName())
                .withData("notAfter", cert.getNotAfter().toInstant().toString());
        outside.ifPresent(reason -> response.withData("reason", reason));
        // Still serving, but the source has a problem someone should look at before the certificate runs out.
        serving.problem().ifPresent(problem -> response.withData("problem", problem));
        return response.build();
    }
}
