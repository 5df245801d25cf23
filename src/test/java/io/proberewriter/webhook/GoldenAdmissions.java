package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import java.nio.file.Files;
import java.util.List;

/**
 * The webhook's check of a golden case, whichever way the reviews travel (in process or over HTTPS): each pod (or pod
 * template, as the pod its controller would create) in an AdmissionReview; the returned patch applied with zjsonpatch
 * must give exactly the pod in {@code expected.yaml}, and that pod sent again must get no patch (reinvocation is safe).
 */
final class GoldenAdmissions {

    /** One admission: the pod created in the namespace, sent as the API server would; the {@code response} back. */
    @FunctionalInterface
    interface Admission {
        JsonNode respond(String namespace, JsonNode pod) throws Exception;
    }

    private GoldenAdmissions() {
    }

    static void assertEveryPod(GoldenCase c, List<SourceDocument> inputs, Admission admission) throws Exception {
        List<SourceDocument> outputs = new ManifestReader().read(c.expected().toString(), Files.readString(c.expected()));
        int pods = 0;
        for (int d = 0; d < inputs.size(); d++) {
            List<PodTemplateSite> before = PodTemplates.find(inputs.get(d));
            List<PodTemplateSite> after = PodTemplates.find(outputs.get(d));
            for (int s = 0; s < before.size(); s++) {
                String ns = GoldenCluster.namespaceOf(before.get(s));
                JsonNode pod = before.get(s).template();
                JsonNode response = admission.respond(ns, pod);
                assertEquals(true, response.path("allowed").asBoolean(), response.toString());
                JsonNode patched = Reviews.applied(pod, response);
                assertEquals(after.get(s).template(), patched, c.name() + " " + before.get(s).workload());

                assertNull(Reviews.patch(admission.respond(ns, patched)),
                        "reinvocation must not patch again: " + c.name() + " " + before.get(s).workload());
                pods++;
            }
        }
        assertTrue(pods > 0 || c.name().startsWith("passthrough"), "no pods in " + c.name());
    }
}
