package io.proberewriter.webhook;

import java.nio.charset.StandardCharsets;

/** What goes back over HTTP: a status, a content type and the bytes. The transport adds nothing. */
public record AdmissionAnswer(int status, String contentType, byte[] body) {

    static AdmissionAnswer badRequest(String message) {
        return new AdmissionAnswer(400, "text/plain; charset=utf-8",
                ("bad AdmissionReview: " + message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static AdmissionAnswer json(byte[] body) {
        return new AdmissionAnswer(200, "application/json", body);
    }
}
