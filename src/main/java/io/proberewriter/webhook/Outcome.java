package io.proberewriter.webhook;

import java.util.Locale;

/** How an admission ended, as counted in {@code probe_rewriter_admissions_total{outcome}}. */
public enum Outcome {
    /** A pod came back with a patch. */
    PATCHED,
    /** A pod was looked at and needed nothing. */
    UNCHANGED,
    /** Not ours to look at: another kind, another operation, a namespace that did not opt in. */
    SKIPPED,
    /** We failed on an admissible request; the pod was allowed as it was, with a warning. */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
