package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.proberewriter.cluster.MeshPolicyCache;
import io.proberewriter.mtls.GeneratedPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reconciles a workload again when a policy written for it changes in the resolver's cache: when our own write
 * reaches the cache, and when someone edits or deletes it. A pass plans from the cache, and a pass that ran between
 * our write and its arrival there (the workload changed again at once: {@code kubectl apply} then an annotation)
 * saw no policy to delete or correct; without this it would stay as it was until the resync period, a PERMISSIVE
 * exception for a port that no longer needs one. A controller watches what it owns, as the Deployment controller
 * watches its ReplicaSets: the policies carry an owner reference to their workload, which maps them back.
 * Other policies (a user's) still wait for the resync, as docs/port-exceptions.md says.
 */
final class OwnPolicyChanges<P extends HasMetadata> extends AbstractEventSource<GenericKubernetesResource, P> {

    private final MeshPolicyCache cache;
    private final String ownerKind;
    private volatile Runnable unsubscribe = () -> { };

    /** @param ownerKind the workload kind whose reconciler this feeds: {@code Deployment}, {@code StatefulSet}, ... */
    OwnPolicyChanges(MeshPolicyCache cache, String ownerKind) {
        super(GenericKubernetesResource.class, "own-policies-of-" + ownerKind.toLowerCase(Locale.ROOT));
        this.cache = cache;
        this.ownerKind = ownerKind;
    }

    @Override
    public void start() {
        super.start();
        unsubscribe = cache.onPolicyChange(policy -> owners(policy).forEach(owner -> {
            if (isRunning()) {
                getEventHandler().handleEvent(new Event(owner));
            }
        }));
    }

    @Override
    public void stop() {
        unsubscribe.run();
        super.stop();
    }

    /** The workloads of this source's kind that a policy of ours was written for. */
    List<ResourceID> owners(GenericKubernetesResource policy) {
        if (!GeneratedPolicy.isGenerated(policy) || policy.getMetadata().getOwnerReferences() == null) {
            return List.of();
        }
        String namespace = policy.getMetadata().getNamespace();
        return policy.getMetadata().getOwnerReferences().stream()
                .filter(owner -> ownerKind.equals(owner.getKind()) && "apps/v1".equals(owner.getApiVersion()))
                .map(OwnerReference::getName)
                .map(name -> new ResourceID(name, namespace))
                .toList();
    }

    /** The sync reads the policies from the resolver's cache itself. */
    @Override
    public Set<GenericKubernetesResource> getSecondaryResources(P primary) {
        return Set.of();
    }
}
