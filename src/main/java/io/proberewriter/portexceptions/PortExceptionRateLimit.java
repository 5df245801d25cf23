package io.proberewriter.portexceptions;

/**
 * How often one workload may be looked at, shared by the three reconcilers. A change to a policy the operator wrote
 * reconciles its workload at once ({@link OwnPolicyChanges}), so another controller that deletes or reverts that
 * policy whenever it appears (a GitOps tool pruning objects not in its repository, a second install of this operator)
 * would otherwise fight it at the API server's speed. Looks past the limit are not dropped: the operator SDK holds
 * them until the window has passed. A workload's ordinary life (a rollout, an edit, a pod that moves) needs a few
 * looks a minute at most.
 */
final class PortExceptionRateLimit {

    /** Looks at one workload within {@link #WITHIN_SECONDS}. */
    static final int LOOKS = 5;
    static final int WITHIN_SECONDS = 15;

    private PortExceptionRateLimit() {
    }
}
