package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionSemanticsTest extends WebhookTestBase {

    @Inject
    KubernetesClient kubernetes;

    @Inject
    NamespaceCache namespaces;

    @Test
    void responseEchoesTheUidAndIsAnAdmissionReviewV1() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        HttpResponse<byte[]> http = client().post(review.toString());
        assertEquals(200, http.statusCode());
        assertEquals("application/json", http.headers().firstValue("content-type").orElse(""));
        JsonNode body = Reviews.JSON.readTree(http.body());
        assertEquals("admission.k8s.io/v1", body.path("apiVersion").asText());
        assertEquals("AdmissionReview", body.path("kind").asText());
        assertEquals(review.path("request").path("uid").asText(), body.path("response").path("uid").asText());
        assertTrue(body.path("response").path("allowed").asBoolean());
        assertEquals("JSONPatch", body.path("response").path("patchType").asText());
        assertEquals("patched", outcome(body.path("response")));
    }

    /** The README's sample, as its curl line sends it: the pod's liveness probe comes back as an exec probe. */
    @Test
    void theReadmesSampleReviewGetsItsPatch() throws Exception {
        byte[] sample = Files.readAllBytes(Path.of("docs/examples/admission-review.json"));
        HttpResponse<byte[]> http = client().post(sample);
        JsonNode response = Reviews.response(http);
        String answer = new String(http.body(), StandardCharsets.UTF_8);
        assertTrue(readmesQuoteOfTheAnswer().matcher(answer).matches(), "README.md quotes another answer: " + answer);
        assertEquals("705ab4f5-6393-11e8-b7cc-42010a800002", response.path("uid").asText());
        assertEquals("patched", outcome(response));
        JsonNode patch = Reviews.patch(response);
        JsonNode replaced = null;
        for (JsonNode op : patch) {
            if (op.path("path").asText().equals("/spec/containers/0/livenessProbe")) {
                replaced = op;
            }
        }
        assertNotNull(replaced, patch.toString());
        assertEquals("/probe-rewriter/prober", replaced.at("/value/exec/command/0").asText(), replaced.toString());
        // The API server's side: the patch applied, the pod can run the prober.
        JsonNode pod = Reviews.applied(Reviews.JSON.readTree(sample).path("request").path("object"), response);
        assertEquals("probe-rewriter-prober", pod.at("/spec/initContainers/0/name").asText(), pod.toString());
        assertEquals("/probe-rewriter", pod.at("/spec/containers/0/volumeMounts/0/mountPath").asText());
        assertTrue(pod.at("/spec/containers/0/volumeMounts/0/readOnly").asBoolean());
        assertEquals("probe-rewriter-prober", pod.at("/spec/volumes/0/name").asText());
    }

    /**
     * The answer README.md quotes after its curl line, in code spans from {@code {"apiVersion"} to {@code }}}, as a
     * pattern: the quoted text in order, each {@code …} standing for text left out.
     */
    private static Pattern readmesQuoteOfTheAnswer() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int from = readme.indexOf("`{\"apiVersion\"", readme.indexOf("The answer allows the pod"));
        assertTrue(from >= 0, "README.md quotes no answer after its curl line");
        StringBuilder quote = new StringBuilder();
        Matcher span = Pattern.compile("`([^`]*)`").matcher(readme);
        for (int at = from; span.find(at) && !quote.toString().endsWith("}}"); at = span.end()) {
            quote.append(span.group(1));
        }
        StringBuilder regex = new StringBuilder();
        for (String part : quote.toString().split("…", -1)) {
            regex.append(regex.isEmpty() ? "" : ".*").append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Test
    void onlyPodCreateIsRewritten() throws Exception {
        ObjectNode deployment = Reviews.JSON.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deployment");
        List<ObjectNode> others = List.of(
                Reviews.request("apps", "v1", "Deployment", "deployments", "CREATE", "default", deployment),
                Reviews.request("", "v1", "Pod", "pods", "UPDATE", "default", pod("p", 8080)),
                Reviews.request("", "v1", "Pod", "pods", "DELETE", "default", null),
                Reviews.request("", "v1", "Pod", "pods", "CONNECT", "default", null),
                Reviews.request("", "v1", "ConfigMap", "configmaps", "CREATE", "default",
                        Reviews.JSON.createObjectNode().put("kind", "ConfigMap")));
        double skippedBefore = metric("probe_rewriter_admissions_total{outcome=\"skipped\"}");
        for (ObjectNode review : others) {
            JsonNode response = Reviews.response(client().post(review.toString()));
            assertTrue(response.path("allowed").asBoolean(), review.toString());
            assertNull(Reviews.patch(response), review.toString());
            assertEquals("skipped", outcome(response));
            assertEquals(review.path("request").path("uid").asText(), response.path("uid").asText());
        }
        assertEquals(skippedBefore + others.size(), metric("probe_rewriter_admissions_total{outcome=\"skipped\"}"));
    }

    @Test
    void dryRunGetsTheSameAnswer() throws Exception {
        ObjectNode real = Reviews.podCreate("default", pod("p", 8080));
        ObjectNode dry = real.deepCopy();
        ((ObjectNode) dry.get("request")).put("dryRun", true);
        JsonNode realResponse = Reviews.response(client().post(real.toString()));
        JsonNode dryResponse = Reviews.response(client().post(dry.toString()));
        assertEquals(realResponse, dryResponse);
        assertNotNull(Reviews.patch(dryResponse));
    }

    @Test
    void aPodWithoutAnnotationsGetsThemAndThePatchApplies() throws Exception {
        ObjectNode bare = pod("bare", 8080);
        JsonNode response = Reviews.response(client().post(Reviews.podCreate("default", bare).toString()));
        ArrayNode patch = Reviews.patch(response);
        assertEquals("/metadata/annotations", patch.get(0).path("path").asText(), patch.toString());
        JsonNode patched = Reviews.applied(bare, response);
        assertTrue(patched.at("/metadata/annotations").has("probe-rewriter.io/original-probes"));
        assertTrue(patched.at("/spec/containers/0/livenessProbe").has("exec"));
        assertFalse(patched.at("/spec/containers/0/livenessProbe").has("httpGet"));
    }

    @Test
    void patchOperationsAreSortedByPath() throws Exception {
        ObjectNode pod = pod("sorted", 8080);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("team", "a");
        ObjectNode second = ((ArrayNode) pod.at("/spec/containers")).addObject();
        second.put("name", "b");
        second.putObject("readinessProbe").putObject("httpGet").put("port", 9090);
        ArrayNode patch = Reviews.patch(Reviews.response(client().post(Reviews.podCreate("default", pod).toString())));
        List<String> paths = new ArrayList<>();
        patch.forEach(op -> paths.add(op.path("path").asText()));
        // Sorted, but for the prober's init container, which comes last: inserted first among init containers, it
        // shifts their indices, and every other path addresses the pod as it was sent.
        List<String> sorted = new ArrayList<>(paths.subList(0, paths.size() - 1));
        sorted.sort(null);
        assertEquals(sorted, paths.subList(0, paths.size() - 1));
        assertEquals(List.of("/metadata/annotations/probe-rewriter.io~1original-probes",
                "/metadata/annotations/probe-rewriter.io~1status", "/spec/containers/0/livenessProbe",
                "/spec/containers/0/volumeMounts", "/spec/containers/1/readinessProbe",
                "/spec/containers/1/volumeMounts", "/spec/volumes", "/spec/initContainers"), paths);
    }

    @Test
    void aNamespaceThatDidNotOptInIsLeftAlone() throws Exception {
        kubernetes.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("closed").endMetadata()
                .build()).createOr(NonDeletingOperation::update);
        Eventually.until("the namespace cache to see 'closed'", Duration.ofSeconds(20),
                () -> namespaces.view("closed").known());
        JsonNode response = Reviews.response(client().post(Reviews.podCreate("closed", pod("p", 8080)).toString()));
        assertNull(Reviews.patch(response));
        assertEquals("skipped", outcome(response));
    }

    @Test
    void anUnknownNamespaceGetsGlobalDefaults() throws Exception {
        JsonNode response = Reviews.response(client().post(Reviews.podCreate("nowhere", pod("p", 8080)).toString()));
        assertEquals("patched", outcome(response));
        assertTrue(response.path("warnings").toString().contains("mode exec: global default"), response.toString());
    }

    @Test
    void aOneMebibytePodCostsOneOperationPerEdit() throws Exception {
        ObjectNode big = podWithEnvOfAtLeast("big", 8080, 1024 * 1024);
        HttpResponse<byte[]> http = client().post(Reviews.podCreate("default", big).toString());
        assertEquals(200, http.statusCode());
        JsonNode response = Reviews.response(http);
        ArrayNode patch = Reviews.patch(response);
        assertEquals(5, patch.size(), "one add of the annotations, one probe replaced, the prober's mount, volume and"
                + " init container: " + patch);
        assertTrue(http.body().length < 8192, "the answer does not grow with the pod: " + http.body().length);
        JsonNode patched = Reviews.applied(big, response);
        assertEquals(big.at("/spec/containers/0/env"), patched.at("/spec/containers/0/env"));
    }

    @Test
    void warningsAreShortSingleLinesAndCapped() throws Exception {
        ObjectNode pod = pod("noisy", 8080);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("probe-rewriter.io/mode", "fast\nand\tloose");
        ArrayNode containers = (ArrayNode) pod.at("/spec/containers");
        for (int i = 0; i < 30; i++) {
            ObjectNode c = containers.addObject();
            c.put("name", "c" + i);
            c.putObject("readinessProbe").putObject("httpGet").put("port", 9000 + i).put("path", "/" + "p".repeat(300));
        }
        JsonNode warnings = Reviews.response(client().post(Reviews.podCreate("default", pod).toString())).path("warnings");
        // At most max-warnings lines, and within the share of the API server's 4,096 characters kept for them.
        assertTrue(warnings.size() > 1 && warnings.size() <= 20, warnings.toString());
        int total = 0;
        for (JsonNode warning : warnings) {
            total += warning.asText().codePointCount(0, warning.asText().length());
        }
        assertTrue(total <= 3072, total + " characters");
        for (JsonNode warning : warnings) {
            String line = warning.asText();
            assertTrue(line.length() <= 256, line);
            assertTrue(line.startsWith("probe-rewriter: "), line);
            assertTrue(line.chars().noneMatch(Character::isISOControl), line);
        }
        assertTrue(warnings.get(warnings.size() - 1).asText().contains("more: see the pod's probe-rewriter.io/status"),
                warnings.toString());
        assertTrue(warnings.toString().contains("probe-rewriter.io/mode=\\\"fast and loose\\\" is invalid"),
                warnings.toString());
    }

    @Test
    void aProbeLeftBrokenGetsTheSeedsDiagnosticAndIsCounted() throws Exception {
        ObjectNode pod = pod("left-alone", 8080);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("probe-rewriter.io/mode", "off");
        double before = metric("probe_rewriter_probes_left_incompatible_total{probe=\"liveness\"}");
        JsonNode response = Reviews.response(client().post(Reviews.podCreate("default", pod).toString()));
        assertNull(Reviews.patch(response));
        assertEquals("probe-rewriter: The pod left-alone in namespace default uses liveness probe which is "
                + "incompatible with mTLS. Consider disabling the liveness probe or mTLS, or disabling mTLS for the "
                + "port of the liveness probe.", response.path("warnings").get(0).asText(), response.toString());
        assertEquals(before + 1, metric("probe_rewriter_probes_left_incompatible_total{probe=\"liveness\"}"));
    }

    @Test
    void aGeneratedNameIsSaidAsSuch() throws Exception {
        ObjectNode pod = pod("ignored", 8080);
        ObjectNode meta = (ObjectNode) pod.get("metadata");
        meta.remove("name");
        meta.put("generateName", "web-7d9f-");
        meta.putObject("annotations").put("probe-rewriter.io/mode", "off");
        JsonNode response = Reviews.response(client().post(Reviews.podCreate("shop", pod).toString()));
        assertTrue(response.path("warnings").get(0).asText().startsWith(
                "probe-rewriter: The pod web-7d9f-<generated> in namespace shop uses liveness probe"), response.toString());
    }

    @Test
    void ourOwnFailureAdmitsThePodUnchangedWithAWarning() throws Exception {
        double errorsBefore = metric("probe_rewriter_admissions_total{outcome=\"error\"}");
        HttpResponse<byte[]> http = client().post(Reviews.podCreate("default", pod("p", ExplodingOracle.PORT)).toString());
        assertEquals(200, http.statusCode());
        JsonNode response = Reviews.response(http);
        assertTrue(response.path("allowed").asBoolean());
        assertNull(Reviews.patch(response));
        assertEquals("error", outcome(response));
        assertTrue(response.path("warnings").get(0).asText().contains("internal error, the pod was admitted unchanged"),
                response.toString());
        assertEquals(errorsBefore + 1, metric("probe_rewriter_admissions_total{outcome=\"error\"}"));
    }
}
