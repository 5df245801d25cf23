package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.proberewriter.cluster.NamespaceCache;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The audit's event source for namespaces: opting a namespace in (or setting its mode, or remediate) has its pods
 * audited at once rather than at their next re-check. It follows the namespace cache the webhook and the audit judge
 * by, rather than a Namespace informer of its own: a change reaches the audit only once that cache holds it, so the
 * audit never judges a pod by an older namespace than the one that triggered it.
 */
final class NamespaceChanges extends AbstractEventSource<Namespace, Pod> {

    private final NamespaceCache namespaces;
    private final IndexerResourceCache<Pod> pods;
    private final Consumer<String> deleted;
    private volatile Runnable unsubscribe = () -> { };

    /** @param deleted told the name of each namespace deleted, to forget what is kept for it */
    NamespaceChanges(NamespaceCache namespaces, IndexerResourceCache<Pod> pods, Consumer<String> deleted) {
        super(Namespace.class, "namespaces");
        this.namespaces = namespaces;
        this.pods = pods;
        this.deleted = deleted;
    }

    @Override
    public void start() {
        super.start();
        // Through the informer's namespace index: the operator SDK's list(namespace) goes through every pod cached,
        // and this subscription is told of every namespace at once, when the pod cache is already full.
        Runnable changes = namespaces.onChange(namespace -> pods.byIndex(Cache.NAMESPACE_INDEX,
                        namespace.getMetadata().getName())
                .forEach(pod -> getEventHandler().handleEvent(new Event(ResourceID.fromResource(pod)))));
        Runnable deletions = namespaces.onDelete(deleted);
        unsubscribe = () -> {
            changes.run();
            deletions.run();
        };
    }

    @Override
    public void stop() {
        unsubscribe.run();
        super.stop();
    }

    /** Pods have no secondary resource here: the namespace is read from the cache when a pod is judged. */
    @Override
    public Set<Namespace> getSecondaryResources(Pod primary) {
        return Set.of();
    }
}
