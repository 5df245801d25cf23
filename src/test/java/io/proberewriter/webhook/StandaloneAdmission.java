package io.proberewriter.webhook;

import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.ProbeRewriter;
import java.util.Map;

/**
 * The parts of the webhook's admission code for tests that need no cluster: the default settings, the assume-all
 * resolver, and a namespace cache that watches nothing (every namespace unknown, global defaults).
 */
final class StandaloneAdmission {

    static final ProbeRewriterConfig CONFIG = ConfigMappings.read(ProbeRewriterConfig.class,
            Map.of("probe-rewriter.namespaces.watch", "false"));

    private StandaloneAdmission() {
    }

    static PodMutator mutator() {
        return new PodMutator(new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle()), CONFIG);
    }

    static NamespaceCache namespaces() {
        return new NamespaceCache(CONFIG, null);
    }
}
