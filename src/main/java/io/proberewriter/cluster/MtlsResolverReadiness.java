package io.proberewriter.cluster;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready before the mTLS resolver is chosen and its policy caches have their first lists: an empty cache reads
 * as "no policy", which is Istio's PERMISSIVE, and probes under STRICT would be left broken.
 */
@Readiness
@Singleton
public class MtlsResolverReadiness implements HealthCheck {

    private final WebhookMtlsResolver resolver;

    MtlsResolverReadiness(WebhookMtlsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("mtls-resolver").status(resolver.ready());
        resolver.choice().ifPresent(c -> response
                .withData("resolver", c.resolver().word())
                .withData("informers", resolver.cache().informers()));
        resolver.istioSources().ifPresent(sources -> response.withData("istio", sources));
        return response.build();
    }
}
