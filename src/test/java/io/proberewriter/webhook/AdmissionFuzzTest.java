package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.zjsonpatch.JsonPatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing (Jazzer) of the admission path, bytes in, as the HTTPS endpoint hands them over: whatever
 * the body, the answer is a 400 that says what is wrong, or a 200 holding a valid AdmissionReview with the request's
 * uid and, if there is a patch, one that applies to the pod and whose result needs no further patch. Our own failure
 * is a finding too, even though the webhook survives it and admits the pod.
 *
 * <p>The seed corpus is every pod and pod template of the golden files, as the AdmissionReview the API server would
 * send, plus the files under {@code AdmissionFuzzTestInputs/admissionReview} (where Jazzer also leaves the inputs
 * that make it fail: they then run in every build). Without {@code JAZZER_FUZZ} the seeds alone run, as regression
 * tests; {@code mvn verify} fuzzes for {@code fuzz.seconds}, {@code -Pfuzz} for longer (docs/architecture.md).
 *
 * <p>The engine judges mTLS as Istio would under a mesh-wide STRICT PeerAuthentication, without Istio's own probe
 * rewrite: every meshed probe is then a candidate, and the sidecar and interception rules are on the path too.
 */
class AdmissionFuzzTest {

    private static final int MAX_WARNINGS = 20;
    /**
     * Reads the body as the webhook does: bytes that are not UTF-8 become U+FFFD, as the API server's Go decoder
     * makes them, in names as in values (Jackson rejects them in names only when it canonicalizes names).
     */
    private static final ObjectMapper LENIENT = JsonMapper.builder(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build()).build();
    private static final AdmissionController CONTROLLER = controller();

    private static AdmissionController controller() {
        ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.namespaces.watch", "false",
                        "probe-rewriter.webhook.max-warnings", Integer.toString(MAX_WARNINGS)));
        GenericKubernetesResource strict;
        try {
            strict = new YAMLMapper().readValue("""
                    apiVersion: security.istio.io/v1
                    kind: PeerAuthentication
                    metadata: {name: default, namespace: istio-system, creationTimestamp: "2024-01-01T00:00:00Z"}
                    spec: {mtls: {mode: STRICT}}
                    """, GenericKubernetesResource.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        MeshPolicies mesh = MeshPolicies.builder().policies(List.of(strict)).rewriteAppProbesByDefault(false).build();
        ProbeRewriter engine = new ProbeRewriter(GlobalSettings.defaults(), new IstioMtlsOracle(mesh));
        return new AdmissionController(new PodMutator(engine, config), new NamespaceCache(config, null),
                new AdmissionMetrics(new SimpleMeterRegistry()));
    }

    /** Every pod and pod template of the golden inputs, in the AdmissionReview of its creation. */
    static Stream<Arguments> goldenReviews() throws Exception {
        List<Arguments> reviews = new ArrayList<>();
        for (GoldenCase golden : GoldenCase.all().toList()) {
            for (SourceDocument document : golden.inputs()) {
                for (PodTemplateSite site : PodTemplates.find(document)) {
                    ObjectNode pod = ((ObjectNode) site.template()).deepCopy();
                    pod.put("apiVersion", "v1").put("kind", "Pod");
                    String namespace = site.namespace() == null ? "default" : site.namespace();
                    reviews.add(Arguments.of((Object) Reviews.podCreate(namespace, pod).toString()
                            .getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        return reviews.stream();
    }

    // Words the pod's JSON is made of, so that mutations make meaningful pods rather than noise.
    @DictionaryEntries({"\"livenessProbe\"", "\"readinessProbe\"", "\"startupProbe\"", "\"httpGet\"",
            "\"tcpSocket\"", "\"grpc\"", "\"exec\"", "\"port\"", "\"path\"", "\"scheme\"", "\"HTTPS\"",
            "\"httpHeaders\"", "\"host\"", "\"initContainers\"", "\"restartPolicy\"", "\"Always\"",
            "\"containerPort\"", "\"annotations\"", "\"labels\"", "\"probe-rewriter.io/mode\"",
            "\"probe-rewriter.io/health-port\"", "\"probe-rewriter.io/exec-command\"",
            "\"probe-rewriter.io/probes\"", "\"probe-rewriter.io/original-probes\"", "\"port\"", "\"off\"",
            "\"wget\"", "\"traffic.sidecar.istio.io/excludeInboundPorts\"",
            "\"traffic.sidecar.istio.io/includeInboundPorts\"", "\"sidecar.istio.io/inject\"",
            "\"sidecar.istio.io/rewriteAppHTTPProbers\"", "\"istio-proxy\"", "\"hostNetwork\"", "\"operation\"",
            "\"CREATE\"", "\"dryRun\"", "\"uid\"", "null", "true", "65536", "-1"})
    @MethodSource("goldenReviews")
    @FuzzTest(maxDuration = "10m")
    void admissionReview(byte[] body) throws Exception {
        AdmissionAnswer answer = CONTROLLER.handle(body);
        if (answer.status() == 400) {
            assertEquals("text/plain; charset=utf-8", answer.contentType());
            assertTrue(new String(answer.body(), StandardCharsets.UTF_8).startsWith("bad AdmissionReview: "));
            return;
        }
        assertEquals(200, answer.status(), "neither 200 nor 400");
        JsonNode request = LENIENT.readTree(body).path("request");
        JsonNode response = checkedResponse(answer, request.path("uid").asText());
        ArrayNode patch = Reviews.patch(response);
        if (patch == null) {
            return;
        }
        assertEquals("JSONPatch", response.path("patchType").asText());
        JsonNode patched = JsonPatch.apply(patch, request.path("object"));

        ObjectNode again = LENIENT.readTree(body).deepCopy();
        ((ObjectNode) again.get("request")).set("object", patched);
        JsonNode second = checkedResponse(CONTROLLER.handle(again.toString().getBytes(StandardCharsets.UTF_8)),
                request.path("uid").asText());
        ArrayNode more = Reviews.patch(second);
        assertTrue(more == null || JsonPatch.apply(more, patched).equals(patched),
                () -> "the patched pod is patched again: " + more);
    }

    /** A valid AdmissionReview answering {@code uid}, allowed, with short warnings, and no failure of ours. */
    private static JsonNode checkedResponse(AdmissionAnswer answer, String uid) throws Exception {
        assertEquals(200, answer.status());
        assertEquals("application/json", answer.contentType());
        JsonNode review = Reviews.JSON.readTree(answer.body());
        assertEquals("admission.k8s.io/v1", review.path("apiVersion").asText());
        assertEquals("AdmissionReview", review.path("kind").asText());
        JsonNode response = review.path("response");
        assertFalse(uid.isEmpty(), "answered a request without uid");
        assertEquals(uid, response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean());
        JsonNode warnings = response.path("warnings");
        // A pod that cannot be read is the sender's problem (outcome error too); a failure of ours is a finding.
        warnings.forEach(w -> assertFalse(w.asText().startsWith(AdmissionWarnings.PREFIX + "internal error"),
                () -> "our own failure: " + warnings));
        assertTrue(warnings.size() <= MAX_WARNINGS);
        warnings.forEach(w -> assertTrue(w.asText().length() <= AdmissionWarnings.MAX_LENGTH, w.asText()));
        return response;
    }
}
