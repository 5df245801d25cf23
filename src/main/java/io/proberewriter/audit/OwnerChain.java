package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Optional;

/**
 * Finds the top-level controller of a pod by following controller owner references, the way
 * {@code kubectl rollout restart} would be aimed: Pod → ReplicaSet → Deployment, Pod → StatefulSet,
 * Pod → DaemonSet. Pure: the objects come from the {@link Lookup} it is given.
 *
 * <p>Deliberately not restarted:
 * <ul>
 *   <li>bare pods: nothing would create them again;</li>
 *   <li>Job (and CronJob) pods: a Job runs to completion, and its pod template is immutable;</li>
 *   <li>a ReplicaSet without a Deployment: a ReplicaSet does not replace running pods when its template changes
 *       (kubectl refuses {@code rollout restart} on one for the same reason);</li>
 *   <li>a paused Deployment, or a StatefulSet/DaemonSet with {@code updateStrategy: OnDelete}: the template change
 *       would not replace the pods, and the next restart would only be postponed;</li>
 *   <li>any other owner (ReplicationController, a Node for static pods, third-party controllers such as Argo
 *       Rollouts): their restart is theirs to define.</li>
 * </ul>
 */
public final class OwnerChain {

    static final String APPS = "apps";
    static final String BATCH = "batch";

    /** Reads the object an owner reference points to; empty when it does not exist (any more). */
    @FunctionalInterface
    public interface Lookup {
        Optional<HasMetadata> find(String namespace, OwnerReference owner);
    }

    private OwnerChain() {
    }

    public static RestartTarget resolve(HasMetadata pod, Lookup lookup) {
        String namespace = pod.getMetadata().getNamespace();
        Optional<OwnerReference> owner = controllerOf(pod);
        if (owner.isEmpty()) {
            return new RestartTarget.None("a bare pod (no controller would create it again): delete and recreate it"
                    + " to send it through the webhook");
        }
        OwnerReference ref = owner.get();
        String group = group(ref);
        if (BATCH.equals(group) && ("Job".equals(ref.getKind()) || "CronJob".equals(ref.getKind()))) {
            return new RestartTarget.None("a pod of " + describe(ref) + ": Job pods are not restarted, the next run"
                    + " goes through the webhook");
        }
        if (!APPS.equals(group)) {
            return new RestartTarget.None("controlled by " + describe(ref) + ", which probe-rewriter does not restart");
        }
        return switch (ref.getKind()) {
            case "ReplicaSet" -> throughReplicaSet(namespace, ref, lookup);
            case "StatefulSet", "DaemonSet", "Deployment" -> restartable(namespace, ref, lookup);
            default -> new RestartTarget.None("controlled by " + describe(ref) + ", which probe-rewriter does not restart");
        };
    }

    private static RestartTarget throughReplicaSet(String namespace, OwnerReference rsRef, OwnerChain.Lookup lookup) {
        Optional<HasMetadata> replicaSet = current(namespace, rsRef, lookup);
        if (replicaSet.isEmpty()) {
            return new RestartTarget.None(describe(rsRef) + " no longer exists");
        }
        Optional<OwnerReference> owner = controllerOf(replicaSet.get());
        if (owner.isEmpty()) {
            return new RestartTarget.None("controlled by " + describe(rsRef) + " without a Deployment: a ReplicaSet"
                    + " does not replace its pods when its template changes; delete the pods to recreate them");
        }
        OwnerReference deployment = owner.get();
        if (!APPS.equals(group(deployment)) || !"Deployment".equals(deployment.getKind())) {
            return new RestartTarget.None("controlled by " + describe(rsRef) + " of " + describe(deployment)
                    + ", which probe-rewriter does not restart");
        }
        RestartTarget target = restartable(namespace, deployment, lookup);
        if (target instanceof RestartTarget.Controller controller
                && olderRevision(replicaSet.get(), controller.workload())) {
            // A rollout is already replacing this ReplicaSet's pods with new ones, which go through the webhook:
            // restarting would only start another rollout on top of it.
            return new RestartTarget.None(describe(rsRef) + " is an older revision of " + describe(deployment)
                    + ", whose rollout is replacing its pods");
        }
        return target;
    }

    /** The revision number the Deployment controller writes on a Deployment and on each of its ReplicaSets. */
    private static final String REVISION = "deployment.kubernetes.io/revision";

    private static boolean olderRevision(HasMetadata replicaSet, HasMetadata deployment) {
        Optional<Long> own = revision(replicaSet);
        Optional<Long> current = revision(deployment);
        return own.isPresent() && current.isPresent() && own.get() < current.get();
    }

    private static Optional<Long> revision(HasMetadata object) {
        String value = object.getMetadata().getAnnotations() == null ? null
                : object.getMetadata().getAnnotations().get(REVISION);
        try {
            return value == null ? Optional.empty() : Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static RestartTarget restartable(String namespace, OwnerReference ref, OwnerChain.Lookup lookup) {
        Optional<HasMetadata> found = current(namespace, ref, lookup);
        if (found.isEmpty()) {
            return new RestartTarget.None(describe(ref) + " no longer exists");
        }
        HasMetadata workload = found.get();
        if (workload instanceof Deployment d && d.getSpec() != null && Boolean.TRUE.equals(d.getSpec().getPaused())) {
            return new RestartTarget.None(describe(ref) + " is paused: a restart would not roll its pods");
        }
        if (onDelete(workload)) {
            return new RestartTarget.None(describe(ref) + " has updateStrategy OnDelete: a restart would not"
                    + " replace its pods; delete them to recreate them");
        }
        if (workload instanceof StatefulSet s) {
            Optional<String> stuck = rollingRestartStuck(s);
            if (stuck.isPresent()) {
                return new RestartTarget.None(describe(ref) + " " + stuck.get());
            }
        }
        return new RestartTarget.Controller(workload);
    }

    /**
     * Why a rolling restart of a StatefulSet would not replace a pod whose probes mTLS breaks, if it would not. With
     * the default {@code podManagementPolicy: OrderedReady} the StatefulSet controller replaces no pod while one is
     * not Ready, which such a pod never is: the restart would hang, and be repeated at every remediation (Kubernetes
     * documents this as the StatefulSet's forced rollback: delete the pod). Pods below a rolling update's
     * {@code partition} are never replaced.
     */
    private static Optional<String> rollingRestartStuck(StatefulSet set) {
        if (set.getSpec() == null) {
            return Optional.empty();
        }
        if (!"Parallel".equals(set.getSpec().getPodManagementPolicy())) {
            return Optional.of("has podManagementPolicy OrderedReady: its rolling update replaces no pod while one is"
                    + " not Ready, which a pod with broken probes never is; delete the pod to recreate it");
        }
        var strategy = set.getSpec().getUpdateStrategy();
        Integer partition = strategy == null || strategy.getRollingUpdate() == null ? null
                : strategy.getRollingUpdate().getPartition();
        if (partition != null && partition > 0) {
            return Optional.of("has a rolling update partition of " + partition + ": pods below it are never"
                    + " replaced; delete the pod to recreate it");
        }
        return Optional.empty();
    }

    private static boolean onDelete(HasMetadata workload) {
        if (workload instanceof StatefulSet s && s.getSpec() != null && s.getSpec().getUpdateStrategy() != null) {
            return "OnDelete".equals(s.getSpec().getUpdateStrategy().getType());
        }
        if (workload instanceof DaemonSet d && d.getSpec() != null && d.getSpec().getUpdateStrategy() != null) {
            return "OnDelete".equals(d.getSpec().getUpdateStrategy().getType());
        }
        return false;
    }

    /** The referenced object, if it is still the one referenced: a namesake created since has another uid. */
    private static Optional<HasMetadata> current(String namespace, OwnerReference ref, OwnerChain.Lookup lookup) {
        return lookup.find(namespace, ref)
                .filter(o -> ref.getUid() == null || ref.getUid().equals(o.getMetadata().getUid()));
    }

    /** The owner reference with {@code controller: true}; the API server allows at most one. */
    static Optional<OwnerReference> controllerOf(HasMetadata object) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        if (owners == null) {
            return Optional.empty();
        }
        return owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
    }

    static String group(OwnerReference ref) {
        String apiVersion = ref.getApiVersion() == null ? "" : ref.getApiVersion();
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    static String describe(OwnerReference ref) {
        return ref.getKind() + " " + ref.getName();
    }
}
