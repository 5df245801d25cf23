package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.NamespaceContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Namespaces as an informer cache: the admission path reads their labels and annotations from memory and never
 * calls the API server. Without a cluster (or with {@code probe-rewriter.namespaces.watch=false}) nothing is
 * known and global defaults apply.
 */
@Singleton
public class NamespaceCache {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);

    private final ProbeRewriterConfig config;
    private final Instance<KubernetesClient> client;
    private volatile SharedIndexInformer<Namespace> informer;

    public NamespaceCache(ProbeRewriterConfig config, Instance<KubernetesClient> client) {
        this.config = config;
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        if (!config.namespaces().watch()) {
            LOG.info("Namespace watch disabled: global defaults apply to every pod");
            return;
        }
        SharedIndexInformer<Namespace> started =
                RetryingInformers.retryingForever(client.get().namespaces().runnableInformer(0), LOG, "Namespace");
        informer = started;
        started.start();
    }

    void stop(@Observes ShutdownEvent event) {
        SharedIndexInformer<Namespace> current = informer;
        if (current != null) {
            current.stop();
        }
    }

    /** Whether namespaces are watched at all. */
    public boolean enabled() {
        return config.namespaces().watch();
    }

    /** True once the first list has arrived (always true when disabled: there is nothing to wait for). */
    public boolean synced() {
        SharedIndexInformer<Namespace> current = informer;
        return !enabled() || (current != null && current.hasSynced());
    }

    public Optional<Namespace> get(String name) {
        SharedIndexInformer<Namespace> current = informer;
        if (name == null || current == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(current.getStore().getByKey(name));
    }

    /** What the engine needs to know of a namespace; empty labels and annotations when it is unknown. */
    public NamespaceContext context(String name) {
        return context(name, get(name));
    }

    /** The same, for a caller that has already looked the namespace up. */
    public static NamespaceContext context(String name, Optional<Namespace> known) {
        return known
                .map(ns -> new NamespaceContext(name, ns.getMetadata().getLabels(), ns.getMetadata().getAnnotations()))
                .orElseGet(() -> NamespaceContext.unknown(name));
    }
}
