package io.proberewriter.webhook;

import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.ProbeTarget;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * Test stand-in for our own bug: behaves like the resolver the app chose (assume-all where the mock API server serves
 * no Istio kinds), except that a probe on port {@value #PORT} makes it throw, so tests can check that a failure of
 * ours admits the pod unchanged.
 */
@Alternative
@Priority(1)
@Singleton
public class ExplodingOracle implements MtlsOracle {

    static final int PORT = 6666;
    private final WebhookMtlsResolver resolver;

    ExplodingOracle(WebhookMtlsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        if (target.port() == PORT) {
            throw new IllegalStateException("simulated failure for port " + PORT);
        }
        return resolver.oracle().check(target);
    }
}
