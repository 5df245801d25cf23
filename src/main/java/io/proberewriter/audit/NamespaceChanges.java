package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.proberewriter.cluster.NamespaceCache;
import java.util.Set;

/**
 * The audit's event source for namespaces: opting a namespace in (or setting its mode, or remediate) has its pods
 * audited at once rather than at their next re-check. It follows the namespace cache the webhook and the audit judge
 * by, rather than a Namespace informer of its own: a change reaches the audit only once that cache holds it, so the
 * audit never judges a pod by an older namespace than the one that triggered it.
 */
final class NamespaceChanges extends AbstractEventSource<Namespace, Pod> {

    private final NamespaceCache namespaces;
    private final IndexerResourceCache<Pod> pods;
    private volatile Runnable unsubscribe = () -> { };

    NamespaceChanges(NamespaceCache namespaces, IndexerResourceCache<Pod> pods) {
        super(Namespace.class, "namespaces");
        this.namespaces = namespaces;
        this.pods = pods;
    }

    @Override
    public void start() {
        super.start();
        unsubscribe = namespaces.onChange(namespace -> pods.list(namespace.getMetadata().getName())
                .forEach(pod -> getEventHandler().handleEvent(new Event(ResourceID.fromResource(pod)))));
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
