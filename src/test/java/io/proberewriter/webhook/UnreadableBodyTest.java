package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Reading the body fails in a way the codec's checks do not foresee (an OutOfMemoryError while a large pod is bound,
 * a bug of ours): if the uid can still be read, the pod is allowed unchanged with a warning and counted as our error,
 * as any later failure of ours is; without a uid there is no one to answer, and the body gets 400.
 */
class UnreadableBodyTest {

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"big"},"spec":{"containers":[
             {"name":"app","livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}}""";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The webhook's controller, whose reading of every body fails as the JVM fails when the heap runs out. */
    private final AdmissionController controller = controller();

    private AdmissionController controller() {
        return new AdmissionController(StandaloneAdmission.mutator(), StandaloneAdmission.namespaces(),
                new AdmissionMetrics(registry)) {
            @Override
            ReviewRequest read(byte[] body) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
    }

    @Test
    void aBodyWithAUidIsAnsweredWithThePodAllowedUnchanged() throws Exception {
        ObjectNode review = Reviews.podCreate("default", Reviews.JSON.readTree(POD));
        String uid = review.at("/request/uid").asText();

        AdmissionAnswer answer = controller.handle(Reviews.JSON.writeValueAsBytes(review));

        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", answer.contentType());
        JsonNode written = Reviews.JSON.readTree(answer.body());
        assertEquals(ReviewCodec.API_VERSION, written.path("apiVersion").asText());
        assertEquals(ReviewCodec.KIND, written.path("kind").asText());
        JsonNode response = written.path("response");
        assertEquals(uid, response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean(), response.toString());
        assertFalse(response.has("patch"), "the pod goes in unchanged: " + response);
        assertEquals(Outcome.ERROR.label(), response.at("/auditAnnotations/outcome").asText());
        assertEquals(1, response.path("warnings").size(), response.toString());
        String warning = response.path("warnings").get(0).asText();
        assertTrue(warning.startsWith(AdmissionWarnings.PREFIX) && warning.contains("internal error"), warning);
        assertEquals(1.0, admissions(Outcome.ERROR));
        assertEquals(0.0, rejected(RejectionReason.UNREADABLE));
    }

    @Test
    void aBodyWithoutAUidIsRefused() throws Exception {
        ObjectNode review = Reviews.podCreate("default", Reviews.JSON.readTree(POD));
        ((ObjectNode) review.get("request")).remove("uid");

        AdmissionAnswer answer = controller.handle(Reviews.JSON.writeValueAsBytes(review));

        assertEquals(400, answer.status());
        String text = new String(answer.body(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("bad AdmissionReview: the body could not be read: java.lang.OutOfMemoryError"),
                text);
        assertEquals(1.0, rejected(RejectionReason.UNREADABLE));
        assertEquals(0.0, admissions(Outcome.ERROR));
    }

    private double admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter().count();
    }

    private double rejected(RejectionReason reason) {
        return registry.find("probe_rewriter_rejected_requests").tag("reason", reason.label()).counter().count();
    }
}
