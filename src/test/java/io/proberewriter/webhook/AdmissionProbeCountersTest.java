package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The probe counters count each pod that will run once: a dry run creates nothing, and the API server's second call
 * (reinvocationPolicy IfNeeded, after a later webhook changed the pod) admits the same pod again. The admissions
 * counter counts every answer, dry runs and reinvocations included (docs/operations.md).
 */
class AdmissionProbeCountersTest {

    /** Container web is rewritten; container legacy opts out (mode off), so its liveness probe stays broken. */
    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"shop-1","namespace":"counters",
              "annotations":{"probe-rewriter.io/mode.legacy":"off"}},
             "spec":{"containers":[
              {"name":"web","ports":[{"containerPort":8080}],"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}},
              {"name":"legacy","ports":[{"containerPort":9090}],"livenessProbe":{"httpGet":{"path":"/alive","port":9090}}}]}}""";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AdmissionController controller = controller();

    private AdmissionController controller() {
        return new AdmissionController(StandaloneAdmission.mutator(), StandaloneAdmission.namespaces(),
                new AdmissionMetrics(registry));
    }

    private JsonNode admit(JsonNode pod, boolean dryRun) throws Exception {
        ObjectNode review = Reviews.podCreate("counters", pod);
        ((ObjectNode) review.get("request")).put("dryRun", dryRun);
        AdmissionAnswer answer = controller.handle(Reviews.JSON.writeValueAsBytes(review));
        return Reviews.JSON.readTree(answer.body()).path("response");
    }

    private double leftIncompatible() {
        return registry.find("probe_rewriter_probes_left_incompatible").tag("probe", "liveness").counter().count();
    }

    private double rewritten() {
        return registry.find("probe_rewriter_probes_rewritten").tag("probe", "liveness").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private double admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter().count();
    }

    @Test
    void aDryRunCountsAsAnAdmissionButNoProbe() throws Exception {
        JsonNode response = admit(Reviews.JSON.readTree(POD), true);

        assertEquals(true, response.has("patch"), "a dry run gets the answer a creation would: " + response);
        assertEquals(1.0, admissions(Outcome.PATCHED));
        assertEquals(0.0, rewritten(), "a dry run rewrote no running pod's probe");
        assertEquals(0.0, leftIncompatible(), "a dry run left no running pod's probe broken");
    }

    @Test
    void aReinvocationDoesNotCountTheProbeLeftBrokenAgain() throws Exception {
        JsonNode pod = Reviews.JSON.readTree(POD);
        JsonNode first = admit(pod, false);
        assertEquals(1.0, rewritten(), "web's liveness probe");
        assertEquals(1.0, leftIncompatible(), "legacy's liveness probe");

        // What the API server sends when a later webhook changed the pod: our own patch applied, and its change.
        ObjectNode patched = (ObjectNode) Reviews.applied(pod, first);
        ((ObjectNode) patched.path("metadata")).putObject("labels").put("sidecar.example/injected", "true");
        JsonNode second = admit(patched, false);

        assertEquals(1.0, admissions(Outcome.PATCHED));
        assertEquals(1.0, admissions(Outcome.UNCHANGED), "the second call answered: " + second);
        assertEquals(1.0, rewritten(), "web's probe is recorded, not rewritten again");
        assertEquals(1.0, leftIncompatible(), "legacy's probe was counted at the first pass");
    }
}
