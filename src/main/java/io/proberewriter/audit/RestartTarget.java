package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The answer of {@link OwnerChain}: the controller to restart, or why there is none. */
public sealed interface RestartTarget {

    /** A Deployment, StatefulSet or DaemonSet whose pod template can be touched the way {@code kubectl rollout restart} does. */
    record Controller(HasMetadata workload) implements RestartTarget {
    }

    /** Nothing probe-rewriter may restart; {@code why} is said in the Event. */
    record None(String why) implements RestartTarget {
    }
}
