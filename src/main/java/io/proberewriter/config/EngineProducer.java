package io.proberewriter.config;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.PortList;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.ProbeTarget;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The engine the webhook uses, built once from configuration. */
final class EngineProducer {

    @Produces
    @Singleton
    GlobalSettings globalSettings(ProbeRewriterConfig config) {
        return GlobalSettings.defaults()
                .withMode(config.mode())
                .withExecCommand(config.execCommand())
                .withProbeKinds(config.probes())
                .withExclusionAnnotations(config.exclusionAnnotations())
                .withUserAgent(config.userAgent())
                .withProxyContainers(config.proxyContainers())
                // Checked at startup (SettingsCheck): an invalid value never gets here.
                .withAllowedHealthPorts(config.allowedHealthPorts().flatMap(PortList::parse).orElse(PortList.none()));
    }

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
