package io.proberewriter.config;

import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.PortList;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The engine's lowest level of settings, from {@code probe-rewriter.*}: what applies when no namespace or pod says. */
final class GlobalSettingsProducer {

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
                .withProberImage(config.proberImage())
                // Checked at startup (SettingsCheck): an invalid value never gets here.
                .withAllowedHealthPorts(config.allowedHealthPorts().flatMap(PortList::parse).orElse(PortList.none()));
    }
}
