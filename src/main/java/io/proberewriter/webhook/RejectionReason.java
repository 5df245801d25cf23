package io.proberewriter.webhook;

import java.util.Locale;

/**
 * Why a body was answered with 400, as counted in {@code probe_rewriter_rejected_requests_total{reason}}: a closed set,
 * so that every reason's series can exist at 0 from the start (docs/operations.md lists what each body says).
 */
public enum RejectionReason {
    /** Not JSON, or JSON too deeply nested. */
    MALFORMED_JSON,
    /** JSON, but not an AdmissionReview v1 envelope (another kind or version, a field of the wrong type). */
    NOT_ADMISSION_REVIEW,
    MISSING_REQUEST,
    MISSING_UID,
    /** A pod CREATE without request.object. */
    MISSING_OBJECT,
    /** Reading failed in a way no check foresaw, and no request.uid could be read to admit the pod unchanged. */
    UNREADABLE;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
