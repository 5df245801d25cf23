package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Until when the controller behind a pod's owner is known not to be due for a restart, in memory, so that a broken
 * pod re-checked meanwhile reads nothing: finding its controller takes two reads (ReplicaSet, Deployment) and the
 * restart's check a third, for every broken pod of a remediated namespace at every re-check, while the record that
 * decides (the controller's {@code restartedAt}) cannot allow a restart before then. Kept by the uid of the pod's own
 * controller (its ReplicaSet, StatefulSet or DaemonSet), which every pod of it shares. Losing it (a restart of the
 * operator) costs only those reads again: the record on the controller still decides.
 */
final class RecentRestarts {

    /** Below this many entries, expired ones are not swept out. */
    private static final int SWEEP_FLOOR = 64;

    private final Map<String, Instant> notDueUntil = new ConcurrentHashMap<>();
    private volatile int afterLastSweep;

    /** Whether the controller behind the pod's owner is known not to be due for a restart at {@code now}. */
    boolean knownNotDue(HasMetadata pod, Instant now) {
        return owner(pod).map(notDueUntil::get).filter(now::isBefore).isPresent();
    }

    /** The controller behind the pod's owner may not be restarted before {@code until}. */
    void notDueUntil(HasMetadata pod, Instant until, Instant now) {
        owner(pod).ifPresent(uid -> notDueUntil.merge(uid, until, (a, b) -> a.isAfter(b) ? a : b));
        // Owners come and go (every rollout makes a ReplicaSet): expired entries go whenever the map has doubled.
        if (notDueUntil.size() > 2 * afterLastSweep + SWEEP_FLOOR) {
            notDueUntil.values().removeIf(expiry -> !now.isBefore(expiry));
            afterLastSweep = notDueUntil.size();
        }
    }

    /** How many owners are remembered. */
    int remembered() {
        return notDueUntil.size();
    }

    private static Optional<String> owner(HasMetadata pod) {
        return OwnerChain.controllerOf(pod).map(OwnerReference::getUid);
    }
}
