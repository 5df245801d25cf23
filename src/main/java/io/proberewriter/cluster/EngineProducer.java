package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.ProbeTarget;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The engine the webhook uses: the global settings from configuration and the mTLS resolver chosen against the
 * cluster. It lives here, beside the resolver, so that {@code config} needs nothing of {@code cluster}.
 */
final class EngineProducer {

    /**
     * The resolver chosen at startup (probe-rewriter.mtls.resolver). Asked per pod rather than captured, since
     * the choice is made in the background after the engine may already exist.
     */
    @Produces
    @Singleton
    MtlsOracle mtlsOracle(WebhookMtlsResolver resolver) {
        return new MtlsOracle() {
            @Override
            public MtlsVerdict check(ProbeTarget target) {
                return resolver.oracle().check(target);
            }

            @Override
            public MtlsOracle forPod(Pod pod, NamespaceContext namespace) {
                return resolver.oracle().forPod(pod, namespace);
            }
        };
    }

    @Produces
    @Singleton
    ProbeRewriter engine(GlobalSettings settings, MtlsOracle oracle) {
        return new ProbeRewriter(settings, oracle);
    }
}
