package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * Where a running pod is in its life, as the rules that look at pods already running (the audit, the port
 * exceptions' overlap check) need it: a terminating pod is being shut down, and a finished one ({@code Succeeded},
 * {@code Failed}) is no longer probed by the kubelet nor served by a sidecar.
 */
public final class PodLifecycle {

    private PodLifecycle() {
    }

    /** Whether the pod is being deleted (its deletionTimestamp is set). */
    public static boolean terminating(Pod pod) {
        return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** The pod's phase when it has finished ({@code Succeeded} or {@code Failed}); empty while it may still run. */
    public static Optional<String> finishedPhase(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase) ? Optional.of(phase) : Optional.empty();
    }
}
