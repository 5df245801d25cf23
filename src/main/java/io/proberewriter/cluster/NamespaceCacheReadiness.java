package io.proberewriter.cluster;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready before the namespace cache has its first list: namespace defaults would be silently missing. */
@Readiness
@Singleton
public class NamespaceCacheReadiness implements HealthCheck {

    private final NamespaceCache cache;

    NamespaceCacheReadiness(NamespaceCache cache) {
        this.cache = cache;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("namespace-cache")
                .status(cache.synced())
                .withData("watching", cache.enabled())
                .build();
    }
}
