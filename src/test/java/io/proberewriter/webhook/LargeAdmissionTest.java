package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.scale.ScalePods;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pods as large as the API server sends them (3 MiB, before it validates anything), over HTTPS: each gets a valid
 * AdmissionReview with its uid, whose size follows what changed and not the pod, with at most the configured number
 * of short warning lines. Timings are the scale benchmark's (docs/benchmarks.md).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class LargeAdmissionTest extends WebhookTestBase {

    /** Twenty warning lines of at most 256 characters, and the envelope. */
    private static final int SMALL_ANSWER = 16 * 1024;

    @Test
    void theIssuesPodIsAdmittedUnchangedWithShortWarningsNamingTheLimit() throws Exception {
        HttpResponse<byte[]> http = admit(ScalePods.theIssuesPod());

        JsonNode response = Reviews.response(http);
        assertEquals("unchanged", outcome(response));
        assertNull(Reviews.patch(response));
        assertTrue(http.body().length < SMALL_ANSWER, "answer of " + http.body().length + " bytes");
        assertWarningsAreCappedAndShort(response);
        // Whole, not cut at 256 characters: the advice at its end is what the user can act on.
        assertEquals("probe-rewriter: 20,000 probes to rewrite left unchanged: recording them"
                + " would take the pod's annotations past the API server's 256 KiB,"
                + " and the pod would be refused; rewrite fewer (probe-rewriter.io/mode.<container>: off) or split"
                + " the pod", response.path("warnings").get(0).asText());
    }

    @Test
    void theLargestRequestTheApiServerSendsGetsASmallAnswer() throws Exception {
        ObjectNode pod = ScalePods.largestLegal(1024);
        HttpResponse<byte[]> http = admit(pod);

        assertEquals("unchanged", outcome(Reviews.response(http)));
        assertTrue(http.body().length < SMALL_ANSWER, "answer of " + http.body().length + " bytes");
        assertWarningsAreCappedAndShort(Reviews.response(http));
    }

    @Test
    void annotationsUpToTheRequestLimitGiveTwentyWarningLines() throws Exception {
        HttpResponse<byte[]> http = admit(ScalePods.withAnnotationsNamingNoContainer(70_000, 100));

        JsonNode warnings = Reviews.response(http).path("warnings");
        assertWarningsAreCappedAndShort(Reviews.response(http));
        // Past the annotation limit before any rewrite: the API server will refuse it, and the user hears so first.
        assertTrue(warnings.get(0).asText().startsWith("probe-rewriter: the pod's annotations already take"),
                warnings.get(0).asText());
        assertTrue(warnings.get(1).asText().contains("names no container of this pod (containers: c0, c1, c2, c3, c4"
                + " and 95 more)"), warnings.get(1).asText());
        assertTrue(warnings.get(19).asText().matches("probe-rewriter: \\d+ more: see the pod's .*"),
                warnings.get(19).asText());
    }

    @Test
    void aLargePodThatFitsIsPatchedWithinTheLimitAndThePatchIsAFixedPoint() throws Exception {
        ObjectNode pod = ScalePods.withContainers(1_000, 2);
        HttpResponse<byte[]> http = admit(pod);

        JsonNode response = Reviews.response(http);
        assertEquals("patched", outcome(response));
        ArrayNode patch = Reviews.patch(response);
        assertNotNull(patch);
        // One replace per probe, the annotations, and for the prober one mount per container, the volume and the
        // init container: the answer follows what changed.
        assertEquals(2_000 + 1 + 1_000 + 2, patch.size());
        assertTrue(http.body().length < 2_000 * 1_500, "answer of " + http.body().length + " bytes");
        JsonNode patched = Reviews.applied(pod, response);
        assertTrue(ScalePods.annotationBytes(patched) <= ScalePods.ANNOTATIONS_LIMIT);
        assertWarningsAreCappedAndShort(response);

        JsonNode again = Reviews.response(admit((ObjectNode) patched));
        assertEquals("unchanged", outcome(again));
        assertNull(Reviews.patch(again));
    }

    /**
     * The webhook binds the required node affinity (it tells a pod bound to Windows nodes): one that fills the request
     * limit is read and decided like a small one. Its last term allows Linux, so the pod may land there and is
     * rewritten; with that term gone it could only run on Windows, and keeps its probe.
     */
    @Test
    void aRequiredNodeAffinityAsLargeAsTheRequestLimitIsReadAndDecided() throws Exception {
        ObjectNode pod = ScalePods.withContainers(1, 1);
        ArrayNode terms = pod.with("spec").putObject("affinity").putObject("nodeAffinity")
                .putObject("requiredDuringSchedulingIgnoredDuringExecution").putArray("nodeSelectorTerms");
        int size = pod.toString().length();
        for (int i = 0; size < ScalePods.API_SERVER_REQUEST_LIMIT - 4 * 1024; i++) {
            ObjectNode term = terms.addObject();
            term.putArray("matchExpressions").addObject().put("key", "kubernetes.io/os").put("operator", "In")
                    .putArray("values").add("windows");
            term.withArray("matchExpressions").addObject().put("key", "topology.kubernetes.io/zone")
                    .put("operator", "In").putArray("values").add("zone-" + i);
            size += term.toString().length() + 1;
        }
        ObjectNode linux = (ObjectNode) terms.get(terms.size() - 1).get("matchExpressions").get(0);
        linux.withArray("values").add("linux");

        assertEquals("patched", outcome(Reviews.response(admit(pod))));

        linux.putArray("values").add("windows");
        JsonNode windowsOnly = Reviews.response(admit(pod));
        assertEquals("unchanged", outcome(windowsOnly));
        assertTrue(windowsOnly.path("warnings").toString().contains("required node affinity"), windowsOnly.toString());
    }

    private HttpResponse<byte[]> admit(ObjectNode pod) throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod);
        byte[] body = review.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length <= ScalePods.API_SERVER_REQUEST_LIMIT, "request of " + body.length + " bytes");
        HttpResponse<byte[]> http = client().post(body);
        assertEquals(200, http.statusCode());
        JsonNode answer = Reviews.JSON.readTree(http.body());
        assertEquals("admission.k8s.io/v1", answer.path("apiVersion").asText());
        assertEquals("AdmissionReview", answer.path("kind").asText());
        assertEquals(review.path("request").path("uid").asText(), answer.path("response").path("uid").asText());
        assertTrue(answer.path("response").path("allowed").asBoolean());
        return http;
    }

    private static void assertWarningsAreCappedAndShort(JsonNode response) {
        JsonNode warnings = response.path("warnings");
        assertTrue(warnings.size() <= 20, warnings.size() + " warnings");
        for (JsonNode warning : warnings) {
            assertTrue(warning.asText().length() <= AdmissionWarnings.MAX_LENGTH, warning.asText());
        }
    }
}
