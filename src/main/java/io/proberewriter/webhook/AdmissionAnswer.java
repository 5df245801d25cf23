package io.proberewriter.webhook;

import java.nio.charset.StandardCharsets;

/** What goes back over HTTP: a status, a content type and the bytes. The transport adds nothing. */
public record AdmissionAnswer(int status, String contentType, byte[] body) {

    static AdmissionAnswer badRequest(String message) {
        return text(400, "bad AdmissionReview: " + message + "\n");
    }

    /** A refusal for a person to read: the API server shows it in the error it reports. */
    static AdmissionAnswer text(int status, String text) {
        return new AdmissionAnswer(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    static AdmissionAnswer json(byte[] body) {
        return new AdmissionAnswer(200, "application/json", body);
    }
}
