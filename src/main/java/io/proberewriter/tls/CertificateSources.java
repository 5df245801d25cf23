package io.proberewriter.tls;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one place that reads {@code probe-rewriter.tls.source}: the {@link CertificateSource} it names. */
@Singleton
public class CertificateSources {

    @Produces
    @Singleton
    CertificateSource source(ProbeRewriterConfig config, TlsConfigurationRegistry registry, Vertx vertx,
                             Instance<KubernetesClient> client) {
        ProbeRewriterConfig.Tls tls = config.tls();
        return switch (tls.source()) {
            case FILES -> new FilesCertificateSource(
                    () -> registry.get(ServingCertificate.TLS_CONFIGURATION).isPresent(), vertx, tls.certFile(),
                    tls.keyFile(), tls.reloadPeriod());
            case SECRET -> new SecretCertificateSource(client::get, vertx, config.namespace(), tls.secretName());
        };
    }
}
