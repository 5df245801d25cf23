package io.proberewriter.tls;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the HTTPS port has a usable certificate: one is loaded and it has not expired. The API
 * server would refuse an expired one, and with {@code failurePolicy: Ignore} pods would slip through unseen.
 */
@Readiness
@Singleton
public class ServingCertificateReadiness implements HealthCheck {

    /** The TLS registry configuration the HTTPS server uses (quarkus.http.tls-configuration-name). */
    public static final String TLS_CONFIGURATION = "webhook";

    private final TlsConfigurationRegistry registry;
    private final Clock clock;

    @Inject
    ServingCertificateReadiness(TlsConfigurationRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    ServingCertificateReadiness(TlsConfigurationRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("serving-certificate");
        Optional<X509Certificate> certificate = registry.get(TLS_CONFIGURATION)
                .map(TlsConfiguration::getKeyStore)
                .flatMap(ServingCertificateReadiness::firstCertificate);
        if (certificate.isEmpty()) {
            return response.down().withData("reason", "no certificate loaded").build();
        }
        X509Certificate cert = certificate.get();
        boolean valid = !clock.instant().isAfter(cert.getNotAfter().toInstant())
                && !clock.instant().isBefore(cert.getNotBefore().toInstant());
        return response.status(valid)
                .withData("subject", cert.getSubjectX500Principal().getName())
                .withData("notAfter", cert.getNotAfter().toInstant().toString())
                .build();
    }

    static Optional<X509Certificate> firstCertificate(KeyStore keyStore) {
        if (keyStore == null) {
            return Optional.empty();
        }
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                Certificate cert = keyStore.getCertificate(alias);
                if (cert instanceof X509Certificate x509) {
                    return Optional.of(x509);
                }
            }
            return Optional.empty();
        } catch (KeyStoreException e) {
            return Optional.empty();
        }
    }
}
