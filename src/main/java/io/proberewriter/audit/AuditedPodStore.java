package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.proberewriter.cluster.ManagedFieldsDroppingStore;
import java.util.List;

/**
 * The audit's pod cache, which holds every pod of the cluster: each pod is kept without its managed fields
 * ({@link ManagedFieldsDroppingStore}) and without the fields nothing that reads this cache ever reads, above all the
 * containers' env vars (the wire benchmark's Deployment-made pod: 29 KiB of heap without its managed fields, 9 KiB
 * without these as well; docs/benchmarks.md#the-informers-caches).
 *
 * <p>What reads a cached pod: {@link AuditReconciler} and, through it, {@link PodAudit} (the pod's namespace, labels,
 * deletion timestamp and phase, then the webhook's engine and mTLS resolver on the whole pod), {@link OwnerChain} and
 * {@link RecentRestarts} (owner references), {@link ControllerRestarts} and the Warning Events (name, namespace, uid,
 * resource version), {@link BrokenPods} (uid), {@link NamespaceChanges} (the namespace index) and
 * {@code ResyncSpread} (uid). The engine reads of a container its name, ports, probes, hooks, arguments (Istio's init
 * container), volume mounts, resources, restart policy (native sidecars) and image (the prober's init container); of
 * the pod its metadata, volumes, pod-level resources, security context, OS, node selector, affinity and host
 * network. Everything dropped below is none of these: none of those classes, nor the {@code engine}, {@code meshes},
 * {@code mtls} and {@code scope} packages, calls its getter or reads the pod as JSON; the webhook never binds the same
 * fields (or, for the status, any) at admission ({@code webhook.ReviewCodec}), and {@code AuditedPodStoreTest} runs
 * the engine on every golden case's pods with and without them and gets the same result. A new reader of one of them
 * must keep it here.
 *
 * <p>Safe to leave out because nothing writes a cached pod back to the API server: the audit answers every pod with
 * {@code noUpdate} (no finalizer, no status), its Events refer to the pod by name and uid, and the restarts patch
 * controllers read afresh. Changed in place before it is stored, as {@link ManagedFieldsDroppingStore} does: the
 * informer's handlers, and through them the reconciler, get the same trimmed object.
 */
public class AuditedPodStore extends ManagedFieldsDroppingStore<Pod> {

    /** No arguments: the operator SDK makes its stores from the class named in {@code @Informer(itemStore)}. */
    public AuditedPodStore() {
    }

    @Override
    public Pod put(String key, Pod pod) {
        dropFieldsNotRead(pod);
        return super.put(key, pod);
    }

    /** Leaves out, in place, what nothing that reads the audit's cache reads (the class comment says who reads what). */
    static void dropFieldsNotRead(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec != null) {
            dropFieldsNotRead(spec.getContainers());
            dropFieldsNotRead(spec.getInitContainers());
            // Added by kubectl debug to a running pod; never probed, so the engine does not look at them.
            spec.setEphemeralContainers(null);
            // Scheduling, DNS and image pulling: the engine places the prober by node selector, affinity and OS alone.
            spec.setTolerations(null);
            spec.setTopologySpreadConstraints(null);
            spec.setImagePullSecrets(null);
            spec.setHostAliases(null);
            spec.setDnsConfig(null);
            spec.setReadinessGates(null);
            spec.setSchedulingGates(null);
            spec.setResourceClaims(null);
            spec.setOverhead(null);
        }
        PodStatus status = pod.getStatus();
        if (status != null) {
            // The audit reads the phase alone (a finished pod is not judged, PodLifecycle); the engine judges the pod
            // as declared, never as it runs. A running pod's status is some 3 KiB of conditions and container states.
            status.setConditions(null);
            status.setContainerStatuses(null);
            status.setInitContainerStatuses(null);
            status.setEphemeralContainerStatuses(null);
            status.setResourceClaimStatuses(null);
            status.setHostIP(null);
            status.setHostIPs(null);
            status.setPodIP(null);
            status.setPodIPs(null);
            status.setStartTime(null);
            status.setQosClass(null);
            status.setMessage(null);
            status.setReason(null);
            status.setNominatedNodeName(null);
            status.setResize(null);
        }
    }

    private static void dropFieldsNotRead(List<Container> containers) {
        if (containers == null) {
            return;
        }
        for (Container container : containers) {
            if (container == null) {
                continue;
            }
            // The environment is the bulk of a typical pod (some 60 env vars, 19 KiB of heap); nothing the audit
            // or the engine decides depends on it: probes carry their own host, port and headers.
            container.setEnv(null);
            container.setEnvFrom(null);
            // The container's own entrypoint: the engine reads the exec commands of probes and hooks, kept with
            // them, and the arguments (which Istio's init container takes its exclusions in), kept too.
            container.setCommand(null);
            container.setWorkingDir(null);
            // The container's security context: the prober's init container follows the pod's (runAsUser), kept.
            container.setSecurityContext(null);
            container.setVolumeDevices(null);
            container.setResizePolicy(null);
            container.setImagePullPolicy(null);
            container.setTerminationMessagePath(null);
            container.setTerminationMessagePolicy(null);
            container.setStdin(null);
            container.setStdinOnce(null);
            container.setTty(null);
        }
    }
}
