package io.proberewriter.config;

import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.ProbeRewriter;
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
                .withProxyContainers(config.proxyContainers());
    }

    /** Every port counts as under mTLS until policy resolution arrives. */
    @Produces
    @Singleton
    MtlsOracle mtlsOracle() {
        return new AssumeAllMtlsOracle();
    }

    @Produces
    @Singleton
    ProbeRewriter engine(GlobalSettings settings, MtlsOracle oracle) {
        return new ProbeRewriter(settings, oracle);
    }
}
