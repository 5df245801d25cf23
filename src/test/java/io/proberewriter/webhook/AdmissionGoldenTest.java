package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.engine.Annotations;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden case, sent as the API server would: each pod (or pod template, as the pod its controller
 * would create) in an AdmissionReview over HTTPS; the returned patch applied with zjsonpatch must give exactly
 * the pod in {@code expected.yaml}, and sending that pod again must give no patch (reinvocation is safe).
 * Namespace defaults come from Namespaces in the API server (here a mock), as the CLI's come from Namespace
 * documents and flags.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionGoldenTest extends GoldenThroughWebhook {

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughTheWebhook() throws Exception {
        WebhookClient client = client();
        // Cases the CLI runs with another resolver run where the webhook is configured with it, or where the cluster
        // makes auto choose it: the Istio*AdmissionGoldenTest classes for istio, AnnotationAdmissionGoldenTest for
        // --mtls annotation.
        return GoldenCase.all().filter(c -> "assume-all".equals(c.resolver())).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            ManifestReader reader = new ManifestReader();
            List<SourceDocument> inputs = reader.read(c.input().toString(), Files.readString(c.input()));
            prepareNamespaces(kubernetes, namespaces, c, inputs, false);
            assertThroughWebhook(client, c, inputs);
        }));
    }

    /** Sends every pod of the case and checks the patched pods against {@code expected.yaml}, and reinvocation. */
    static void assertThroughWebhook(WebhookClient client, GoldenCase c, List<SourceDocument> inputs) throws Exception {
        List<SourceDocument> outputs = new ManifestReader().read(c.expected().toString(), Files.readString(c.expected()));
        int pods = 0;
        for (int d = 0; d < inputs.size(); d++) {
            List<PodTemplateSite> before = PodTemplates.find(inputs.get(d));
            List<PodTemplateSite> after = PodTemplates.find(outputs.get(d));
            for (int s = 0; s < before.size(); s++) {
                String ns = before.get(s).namespace() == null ? "default" : before.get(s).namespace();
                JsonNode pod = before.get(s).template();
                HttpResponse<byte[]> http = client.post(Reviews.podCreate(ns, pod).toString());
                assertEquals(200, http.statusCode(), new String(http.body()));
                JsonNode response = Reviews.response(http);
                assertEquals(true, response.path("allowed").asBoolean(), response.toString());
                JsonNode patched = Reviews.applied(pod, response);
                assertEquals(after.get(s).template(), patched, c.name() + " " + before.get(s).workload());

                HttpResponse<byte[]> again = client.post(Reviews.podCreate(ns, patched).toString());
                assertNull(Reviews.patch(Reviews.response(again)),
                        "reinvocation must not patch again: " + c.name() + " " + before.get(s).workload());
                pods++;
            }
        }
        assertTrue(pods > 0 || c.name().startsWith("passthrough"), "no pods in " + c.name());
    }

    /**
     * The namespaces of the case, as the cluster would hold them: opted in, with the labels (istio-injection) and
     * annotations its Namespace documents give and, for the CLI's --mode and --exec-command flags, the namespace
     * annotations they stand for.
     *
     * @param injectUnknown label a namespace without Namespace document istio-injection=enabled: the CLI's Istio
     *                      resolver takes such a namespace to inject the sidecar, and a cluster's namespace is known
     */
    static void prepareNamespaces(KubernetesClient kubernetes, NamespaceCache namespaces, GoldenCase c,
            List<SourceDocument> inputs, boolean injectUnknown) throws Exception {
        Map<String, String> fromFlags = new LinkedHashMap<>();
        if (c.flag("--mode") != null) {
            fromFlags.put(Annotations.MODE, c.flag("--mode"));
        }
        if (c.flag("--exec-command") != null) {
            fromFlags.put(Annotations.EXEC_COMMAND, c.flag("--exec-command"));
        }
        Map<String, Map<String, String>> wanted = new HashMap<>();
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (SourceDocument doc : inputs) {
            for (PodTemplateSite site : PodTemplates.find(doc)) {
                wanted.put(site.namespace() == null ? "default" : site.namespace(), new LinkedHashMap<>(fromFlags));
            }
        }
        for (SourceDocument doc : inputs) {
            JsonNode node = doc.content();
            if ("Namespace".equals(node.path("kind").asText())) {
                String name = node.path("metadata").path("name").asText();
                Map<String, String> annotations = wanted.computeIfAbsent(name, n -> new LinkedHashMap<>(fromFlags));
                node.path("metadata").path("annotations").fields()
                        .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
                Map<String, String> nsLabels = labels.computeIfAbsent(name, n -> new LinkedHashMap<>());
                node.path("metadata").path("labels").fields()
                        .forEachRemaining(e -> nsLabels.put(e.getKey(), e.getValue().asText()));
            }
        }
        for (Map.Entry<String, Map<String, String>> ns : wanted.entrySet()) {
            Map<String, String> nsLabels = new LinkedHashMap<>(labels.getOrDefault(ns.getKey(), Map.of()));
            if (injectUnknown && !labels.containsKey(ns.getKey())) {
                nsLabels.put("istio-injection", "enabled");
            }
            nsLabels.put(Annotations.ENABLED_LABEL, "true");
            kubernetes.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns.getKey())
                    .withLabels(nsLabels).withAnnotations(ns.getValue())
                    .endMetadata().build()).createOr(NonDeletingOperation::update);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!namespaces.context(ns.getKey()).annotations().equals(ns.getValue())
                    || !namespaces.context(ns.getKey()).labels().equals(nsLabels)) {
                assertTrue(System.nanoTime() < deadline, "namespace cache did not see " + ns);
                Thread.sleep(20);
            }
        }
    }

    static ObjectNode copy(JsonNode node) {
        return (ObjectNode) node.deepCopy();
    }
}
