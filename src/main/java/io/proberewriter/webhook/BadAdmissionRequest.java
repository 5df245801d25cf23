package io.proberewriter.webhook;

/** A body that is not an AdmissionReview we can answer: HTTP 400 with the message. */
final class BadAdmissionRequest extends Exception {

    private final RejectionReason reason;

    /** @param reason what the metric counts it under */
    BadAdmissionRequest(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    RejectionReason reason() {
        return reason;
    }
}
