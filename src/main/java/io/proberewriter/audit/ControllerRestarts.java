package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.operator.WarningEvents;
import jakarta.inject.Singleton;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Restarts the controller of a pod that slipped past the webhook, as {@code kubectl rollout restart} does, so that
 * its pods are created again through the webhook. The decisions are {@link OwnerChain} and {@link RestartSchedule};
 * this class only reads and writes.
 */
@Singleton
public class ControllerRestarts {

    /** The reason of the Event on a restarted controller. */
    public static final String RESTARTED = "RestartedForProbeRewrite";
    /** The reason of the Event on a broken pod whose namespace asks for remediation that cannot be done. */
    public static final String NOT_RESTARTED = "ProbeRewriteRemediationSkipped";

    private static final Logger LOG = Logger.getLogger(ControllerRestarts.class);
    /** What became of a restart that was due by the pod's finding. */
    enum Restart {
        /** Patched: the controller rolls its pods. */
        MADE,
        /** Restarted within the interval, or gone: nothing to do now. */
        NOT_DUE,
        /**
         * The API server refused it (403): the operator's ServiceAccount may not patch the workload, as in an
         * install without the remediation RBAC. Not an error to retry: waiting does not grant it.
         */
        FORBIDDEN
    }

    /** Two broken pods of one Deployment are reconciled in parallel; only one of them may restart it. */
    private static final int LOCK_STRIPES = 64;

    private final KubernetesClient client;
    private final WarningEvents events;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private final RecentRestarts recent = new RecentRestarts();

    ControllerRestarts(KubernetesClient client, WarningEvents events) {
        this.client = client;
        this.events = events;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Whether the pod's controller is known, from a restart made or found not due here, not to be due before
     * {@code now}: nothing need be read for it then ({@link RecentRestarts}).
     */
    boolean knownNotDue(Pod pod, Instant now) {
        return recent.knownNotDue(pod, now);
    }

    /** Where the pod leads: the controller to restart or why there is none. Reads owners from the API server. */
    RestartTarget target(Pod pod) {
        return OwnerChain.resolve(pod, this::find);
    }

    /**
     * Restarts the controller unless it was restarted within the interval. The controller is read again under a
     * lock and patched with its resourceVersion as a precondition: a sibling pod, or a former leader still
     * finishing its work, that restarted it meanwhile makes this a no-op (or a conflict, retried, that finds the
     * fresh record).
     *
     * @return what was done; other API errors are thrown, to be retried
     */
    Restart restartIfDue(RestartTarget.Controller target, Pod pod, PodFinding finding, Instant now,
                         Duration interval) {
        HasMetadata workload = target.workload();
        synchronized (locks[Math.floorMod(workload.getMetadata().getUid().hashCode(), LOCK_STRIPES)]) {
            Optional<HasMetadata> fresh = reread(workload);
            if (fresh.isEmpty()) {
                return Restart.NOT_DUE;
            }
            Optional<Instant> last = RestartSchedule.lastRestart(fresh.get());
            if (!RestartSchedule.due(last, now, interval)) {
                recent.notDueUntil(pod, last.get().plus(interval), now);
                LOG.debugf("%s %s/%s was restarted at %s: not again before %s", workload.getKind(),
                        workload.getMetadata().getNamespace(), workload.getMetadata().getName(), last.get(),
                        last.get().plus(interval));
                return Restart.NOT_DUE;
            }
            String stamp = RestartSchedule.stamp(now);
            try {
                client.resource(fresh.get()).patch(PatchContext.of(PatchType.JSON_MERGE),
                        restartPatch(fresh.get(), stamp));
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
                    throw e;
                }
                LOG.debugf("Restart of %s %s/%s refused: %s", workload.getKind(),
                        workload.getMetadata().getNamespace(), workload.getMetadata().getName(), e.getMessage());
                return Restart.FORBIDDEN;
            }
            String message = "Restarted (" + RestartSchedule.RESTARTED_AT + "=" + stamp + ") so that its pods are"
                    + " created again through the probe-rewriter webhook: pod " + pod.getMetadata().getName()
                    + " runs with " + kinds(finding) + " broken by mTLS (namespace annotation probe-rewriter.io/remediate)";
            LOG.infof("%s %s/%s: %s", workload.getKind(), workload.getMetadata().getNamespace(),
                    workload.getMetadata().getName(), message);
            events.warn(fresh.get(), RESTARTED, message);
            recent.notDueUntil(pod, now.plus(interval), now);
            return Restart.MADE;
        }
    }

    /** Says on the pod, and in the log, why remediation, asked for by the namespace, is not done. */
    void notRestarted(Pod pod, String why) {
        String message = "Not restarted although the namespace asks for it (probe-rewriter.io/remediate): " + why;
        LOG.infof("Pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), message);
        events.warn(pod, NOT_RESTARTED, message);
    }

    private static String kinds(PodFinding finding) {
        return finding.brokenKindsInOrder().stream().map(HandlerKind::word).collect(Collectors.joining(", "))
                + (finding.brokenKinds().size() == 1 ? " probe" : " probes");
    }

    /** A merge patch of the annotation alone, conditional on the version just read. */
    static String restartPatch(HasMetadata workload, String stamp) {
        return "{\"metadata\":{\"resourceVersion\":\"" + workload.getMetadata().getResourceVersion() + "\"},"
                + "\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RestartSchedule.RESTARTED_AT + "\":\""
                + stamp + "\"}}}}}";
    }

    private Optional<HasMetadata> reread(HasMetadata workload) {
        String namespace = workload.getMetadata().getNamespace();
        String name = workload.getMetadata().getName();
        HasMetadata current = null;
        if (workload instanceof Deployment) {
            current = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } else if (workload instanceof StatefulSet) {
            current = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        } else if (workload instanceof DaemonSet) {
            current = client.apps().daemonSets().inNamespace(namespace).withName(name).get();
        }
        return Optional.ofNullable(current)
                .filter(c -> workload.getMetadata().getUid().equals(c.getMetadata().getUid()));
    }

    /** Only the kinds {@link OwnerChain} follows are read; nothing else needs a permission. */
    private Optional<HasMetadata> find(String namespace, OwnerReference owner) {
        var apps = client.apps();
        HasMetadata found = switch (owner.getKind()) {
            case "ReplicaSet" -> apps.replicaSets().inNamespace(namespace).withName(owner.getName()).get();
            case "Deployment" -> apps.deployments().inNamespace(namespace).withName(owner.getName()).get();
            case "StatefulSet" -> apps.statefulSets().inNamespace(namespace).withName(owner.getName()).get();
            case "DaemonSet" -> apps.daemonSets().inNamespace(namespace).withName(owner.getName()).get();
            default -> null;
        };
        return Optional.ofNullable(found);
    }
}
