package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.engine.NamespaceView;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Namespaces, and the LimitRanges in them, as informer caches: the admission path reads their labels, annotations
 * and container limits from memory and never calls the API server. Without a cluster (or with
 * {@code probe-rewriter.namespaces.watch=false}) nothing is known and global defaults apply.
 */
@Singleton
public class NamespaceCache {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);

    private final ProbeRewriterConfig config;
    private final Instance<KubernetesClient> client;
    private volatile SharedIndexInformer<Namespace> informer;
    /** The LimitRanges of every namespace, indexed by namespace: what the prober's init container must meet. */
    private volatile SharedIndexInformer<LimitRange> limitRanges;
    /**
     * Set when listing LimitRanges is forbidden (a ClusterRole from before the webhook read them): not retried nor
     * waited for, the init container keeps its default resources.
     */
    private volatile boolean limitRangesForbidden;

    public NamespaceCache(ProbeRewriterConfig config, Instance<KubernetesClient> client) {
        this.config = config;
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        if (!config.namespaces().watch()) {
            LOG.info("Namespace watch disabled: global defaults apply to every pod");
            return;
        }
        start(client.get());
    }

    /** Starts both informers on {@code kubernetes}. */
    void start(KubernetesClient kubernetes) {
        SharedIndexInformer<Namespace> started =
                RetryingInformers.retryingForever(kubernetes.namespaces().withLimit(ListPages.SIZE)
                                .runnableInformer(0), LOG, "Namespace")
                        .itemStore(new ManagedFieldsDroppingStore<>());
        informer = started;
        SharedIndexInformer<LimitRange> ranges = kubernetes.limitRanges().inAnyNamespace()
                .withLimit(ListPages.SIZE).runnableInformer(0)
                .itemStore(new ManagedFieldsDroppingStore<>());
        ranges.exceptionHandler((isStarted, failure) -> {
            if (RetryingInformers.forbidden(failure)) {
                limitRangesForbidden = true;
                LOG.warn("Cannot list LimitRanges: forbidden (the ClusterRole probe-rewriter-read of this release"
                        + " grants it: apply it, then restart). The prober's init container keeps its default"
                        + " resources, which a namespace's LimitRange may refuse");
                return false;
            }
            LOG.warnf("LimitRange watch failed, retrying: %s", failure.toString());
            return true;
        });
        limitRanges = ranges;
        started.start();
        ranges.start();
    }

    /** Whether both informers hold a watch (what a change made now needs to reach the cache). */
    public boolean watching() {
        SharedIndexInformer<Namespace> current = informer;
        SharedIndexInformer<LimitRange> ranges = limitRanges;
        return current != null && current.isWatching() && ranges != null && ranges.isWatching();
    }

    /** Whether listing LimitRanges was refused: the init container's resources are then not fitted to them. */
    boolean limitRangesForbidden() {
        return limitRangesForbidden;
    }

    void stop(@Observes ShutdownEvent event) {
        SharedIndexInformer<Namespace> current = informer;
        if (current != null) {
            current.stop();
        }
        SharedIndexInformer<LimitRange> ranges = limitRanges;
        if (ranges != null) {
            ranges.stop();
        }
    }

    /** Whether namespaces are watched at all. */
    public boolean enabled() {
        return config.namespaces().watch();
    }

    /** True once the first list has arrived (always true when disabled: there is nothing to wait for). */
    public boolean synced() {
        SharedIndexInformer<Namespace> current = informer;
        SharedIndexInformer<LimitRange> ranges = limitRanges;
        return !enabled() || (current != null && current.hasSynced() && ranges != null
                && (ranges.hasSynced() || limitRangesForbidden));
    }

    /**
     * Calls {@code listener} with each namespace the cache learns of and each whose labels or annotations change
     * (what opts a namespace in and gives its defaults), once the cache holds the change: a {@link #view} from the
     * listener sees it. The namespaces already cached are passed at once. Nothing happens when namespaces are not
     * watched.
     *
     * @return what stops the calls
     */
    public Runnable onChange(Consumer<Namespace> listener) {
        return subscribe(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                listener.accept(namespace);
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                ObjectMeta was = before.getMetadata();
                ObjectMeta is = after.getMetadata();
                if (!Objects.equals(was.getLabels(), is.getLabels())
                        || !Objects.equals(was.getAnnotations(), is.getAnnotations())) {
                    listener.accept(after);
                }
            }

            @Override
            public void onDelete(Namespace namespace, boolean deletedFinalStateUnknown) {
                // Its pods go with it: onDelete says so to whoever keeps something per namespace.
            }
        });
    }

    /**
     * Calls {@code listener} with the name of each namespace deleted (its contents are gone by then: the namespace
     * controller empties a namespace before it removes it). Nothing happens when namespaces are not watched.
     *
     * @return what stops the calls
     */
    public Runnable onDelete(Consumer<String> listener) {
        return subscribe(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
            }

            @Override
            public void onDelete(Namespace namespace, boolean deletedFinalStateUnknown) {
                listener.accept(namespace.getMetadata().getName());
            }
        });
    }

    /** Nothing happens when namespaces are not watched. */
    private Runnable subscribe(ResourceEventHandler<Namespace> handler) {
        SharedIndexInformer<Namespace> current = informer;
        if (current == null) {
            return () -> { };
        }
        current.addEventHandler(handler);
        return () -> current.removeEventHandler(handler);
    }

    /**
     * The namespace as the cache holds it now, or {@link NamespaceView#unknown} when it is not cached (not created
     * yet, not listed yet, or namespaces are not watched).
     */
    public NamespaceView view(String name) {
        SharedIndexInformer<Namespace> current = informer;
        Namespace cached = name == null || current == null ? null : current.getStore().getByKey(name);
        NamespaceView view = cached == null ? NamespaceView.unknown(name) : NamespaceView.of(cached);
        SharedIndexInformer<LimitRange> ranges = limitRanges;
        if (name == null || ranges == null) {
            return view;
        }
        // Most namespaces have none; the few that do have one or two.
        List<LimitRange> inNamespace = ranges.getIndexer().byIndex(Cache.NAMESPACE_INDEX, name);
        return inNamespace.isEmpty() ? view : view.withContainerLimits(ContainerLimits.of(inNamespace));
    }
}
