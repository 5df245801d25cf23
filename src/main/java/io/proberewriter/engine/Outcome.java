package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Probe;
import java.util.OptionalInt;

/** The verdict on one probe before it is turned into edits. */
sealed interface Outcome {

    record Unchanged(boolean brokenByMtls, String reason) implements Outcome {
    }

    /** @param excludedPort the health port to exclude from interception (port mode only) */
    record Rewritten(Probe probe, Action action, String reason, OptionalInt excludedPort) implements Outcome {
    }
}
