package io.proberewriter.webhook;

import io.proberewriter.engine.RewriteResult;
import io.proberewriter.patch.PodPatch;
import java.util.List;
import java.util.Optional;

/**
 * What to answer for one pod, before it becomes an AdmissionReview: the outcome, the JSON patch when the pod is
 * changed, and the warning lines.
 *
 * @param rewrite the engine's result, when the engine ran: the metrics count its probes
 */
record Mutation(Outcome outcome, Optional<PodPatch> patch, List<String> warnings, Optional<RewriteResult> rewrite) {

    /** Allowed as it is, without the engine having run (skipped, or our failure). */
    static Mutation allow(Outcome outcome, List<String> warnings) {
        return new Mutation(outcome, Optional.empty(), warnings, Optional.empty());
    }
}
