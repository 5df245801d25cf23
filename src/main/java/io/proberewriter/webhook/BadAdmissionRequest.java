package io.proberewriter.webhook;

/** A body that is not an AdmissionReview we can answer: HTTP 400 with the message. */
final class BadAdmissionRequest extends Exception {

    private final String reason;

    /** @param reason a short tag for the metric ({@code malformed-json}, {@code not-admission-review}, …) */
    BadAdmissionRequest(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
