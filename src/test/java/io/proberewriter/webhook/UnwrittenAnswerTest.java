package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The answer carrying a pod's patch cannot be written (an OutOfMemoryError while a large patch is serialized, a bug of
 * ours): the pod is allowed unchanged, so the metrics must say what the API server got, our error, and not the patch
 * that never left. Counted as {@code patched}, the failure escaped ProbeRewriterAdmissionErrors, and its probes were
 * counted as rewritten although the pod runs with them as they were.
 */
class UnwrittenAnswerTest {

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[
             {"name":"app","livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}}""";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The webhook's controller, whose answer fails to be written whenever it carries a patch. */
    private final AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
            StandaloneAdmission.namespaces(), new AdmissionMetrics(registry)) {
        @Override
        byte[] write(String uid, Mutation mutation) {
            if (mutation.patch().isPresent()) {
                throw new OutOfMemoryError("Java heap space");
            }
            return super.write(uid, mutation);
        }
    };

    @Test
    void aPatchThatCannotBeWrittenIsCountedAsTheErrorTheApiServerGets() throws Exception {
        ObjectNode review = Reviews.podCreate("default", Reviews.JSON.readTree(POD));

        AdmissionAnswer answer = controller.handle(Reviews.JSON.writeValueAsBytes(review));

        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        JsonNode response = Reviews.JSON.readTree(answer.body()).path("response");
        assertEquals(review.at("/request/uid").asText(), response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean(), response.toString());
        assertFalse(response.has("patch"), "the pod goes in unchanged: " + response);
        assertEquals(Outcome.ERROR.label(), response.at("/auditAnnotations/outcome").asText());

        assertEquals(1.0, admissions(Outcome.ERROR), "the API server got our error");
        assertEquals(0.0, admissions(Outcome.PATCHED), "no patch left");
        assertEquals(1, registry.find("probe_rewriter_admission_duration").tag("outcome", Outcome.ERROR.label())
                .timer().count());
        assertEquals(0.0, registry.find("probe_rewriter_probes_rewritten").counters().stream()
                .mapToDouble(Counter::count).sum(), "the pod runs its probes as they were");
    }

    @Test
    void theSamePodIsPatchedAndCountedWhenItsAnswerIsWritten() throws Exception {
        // That the pod above would have been patched: the failure, not the pod, made it an error.
        AdmissionController plain = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry));

        AdmissionAnswer answer = plain.handle(Reviews.JSON.writeValueAsBytes(
                Reviews.podCreate("default", Reviews.JSON.readTree(POD))));

        assertTrue(Reviews.JSON.readTree(answer.body()).path("response").has("patch"));
        assertEquals(1.0, admissions(Outcome.PATCHED));
        assertEquals(0.0, admissions(Outcome.ERROR));
        assertEquals(1.0, registry.find("probe_rewriter_probes_rewritten").tag("probe", "liveness")
                .tag("mode", "exec").counter().count());
    }

    private double admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter().count();
    }
}
