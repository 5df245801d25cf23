package io.proberewriter.webhook;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeTarget;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * Test stand-in for our own bug: behaves like the resolver the app chose (assume-all where the mock API server serves
 * no Istio kinds), except that a probe on port {@value #PORT} makes it throw an exception, one on
 * {@value #OUT_OF_MEMORY_PORT} an {@link OutOfMemoryError} (thrown, not provoked: the JVM survives it, as it does a
 * real one that unwinds the admission that caused it) and one on {@value #ERROR_PORT} another {@link Error}, so tests
 * can check that a failure of ours, of any kind, admits the pod unchanged.
 */
@Alternative
@Priority(1)
@Singleton
public class ExplodingOracle implements MtlsOracle {

    static final int PORT = 6666;
    static final int OUT_OF_MEMORY_PORT = 6667;
    static final int ERROR_PORT = 6668;
    private final WebhookMtlsResolver resolver;

    ExplodingOracle(WebhookMtlsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        return forPod(target.pod(), target.namespace()).check(target);
    }

    @Override
    public MtlsOracle forPod(Pod pod, NamespaceContext namespace) {
        MtlsOracle chosen = resolver.oracle().forPod(pod, namespace);
        return target -> switch (target.port()) {
            case PORT -> throw new IllegalStateException("simulated failure for port " + PORT);
            case OUT_OF_MEMORY_PORT -> throw new OutOfMemoryError("simulated for port " + OUT_OF_MEMORY_PORT);
            case ERROR_PORT -> throw new NoClassDefFoundError("simulated for port " + ERROR_PORT);
            default -> chosen.check(target);
        };
    }
}
