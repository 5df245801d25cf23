package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Probe;
import java.util.OptionalInt;

/** The verdict on one probe before it is turned into edits. */
sealed interface Outcome {

    /** @param warning set when the person applying the pod should hear of it: a setting that could not apply */
    record Unchanged(boolean brokenByMtls, String reason, String warning) implements Outcome {
        Unchanged(boolean brokenByMtls, String reason) {
            this(brokenByMtls, reason, null);
        }
    }

    /**
     * Mode exec or port applies to a probe that mTLS breaks; the conversion itself is the caller's to do, once it
     * knows that the rewrite can still be accepted (see {@link ProbeRewriter}).
     *
     * @param mtlsRule the rule that found the probe broken, for its reason
     * @param port     the port the probe targets, resolved
     */
    record ToConvert(String mtlsRule, int port, ContainerSettings settings) implements Outcome {
    }

    /**
     * @param probe        the probe as it is to be: the original itself when it is kept on its health port
     * @param excludedPort the health port to exclude from interception (port mode only)
     * @param warning      set when the rewrite may not work and the person applying the pod should check it
     */
    record Rewritten(Probe probe, Action action, String reason, OptionalInt excludedPort, String warning)
            implements Outcome {
        Rewritten(Probe probe, Action action, String reason, OptionalInt excludedPort) {
            this(probe, action, reason, excludedPort, null);
        }
    }
}
