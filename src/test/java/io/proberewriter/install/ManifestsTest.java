package io.proberewriter.install;

import static io.proberewriter.install.KubeYaml.NAMESPACE;
import static io.proberewriter.install.KubeYaml.assertAbsent;
import static io.proberewriter.install.KubeYaml.assertBool;
import static io.proberewriter.install.KubeYaml.assertInt;
import static io.proberewriter.install.KubeYaml.assertText;
import static io.proberewriter.install.KubeYaml.byName;
import static io.proberewriter.install.KubeYaml.goDurationSeconds;
import static io.proberewriter.install.KubeYaml.named;
import static io.proberewriter.install.KubeYaml.one;
import static io.proberewriter.install.KubeYaml.stringMap;
import static io.proberewriter.install.KubeYaml.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.install.KubeYaml.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The install manifests under {@code k8s/}, read as files: every setting the webhook code relies on, and the
 * names, selectors and ports that tie the objects together. {@link KustomizeRenderTest} checks what kustomize
 * makes of them.
 */
class ManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path DEFAULT_OVERLAY = K8S.resolve("overlays/default");
    private static final Path OVERLAY = K8S.resolve("overlays/cert-manager");
    private static final Path ISTIO_OVERLAY = K8S.resolve("overlays/istio");
    private static final Path ISTIO_COMPONENT = K8S.resolve("components/istio");
    private static final Path MONITORING_COMPONENT = K8S.resolve("components/monitoring");
    private static final Path NETWORK_POLICY_COMPONENT = K8S.resolve("components/network-policy");
    private static final Path OPENSHIFT_COMPONENT = K8S.resolve("components/openshift");
    private static final Path HELM_CHARTS = K8S.resolve("helm");

    private static final String APP = "probe-rewriter";
    private static final Map<String, String> COMMON_LABELS = Map.of(
            "app.kubernetes.io/name", APP,
            "app.kubernetes.io/part-of", APP);
    private static final Map<String, String> WEBHOOK_SELECTOR = Map.of(
            "app.kubernetes.io/name", APP,
            "app.kubernetes.io/component", "webhook");
    private static final String TLS_SECRET = "probe-rewriter-tls";
    private static final String CA_SECRET = "probe-rewriter-ca";
    private static final String SERVING_CERT = "probe-rewriter-serving";
    private static final String INJECT_CA_FROM = "cert-manager.io/inject-ca-from";
    /** Where probe-rewriter.tls.cert-file and key-file point by default (ProbeRewriterConfig.Tls). */
    private static final String TLS_MOUNT_PATH = "/etc/probe-rewriter/tls";
    private static final String CERTIFICATES = "probe-rewriter-certificates";
    private static final String SERVING_CERTIFICATE = "probe-rewriter-serving-certificate";
    private static final String OPERATOR = "probe-rewriter-operator";
    private static final String PORT_EXCEPTIONS = "probe-rewriter-port-exceptions";
    private static final String REMEDIATION = "probe-rewriter-remediation";
    private static final Path REMEDIATION_COMPONENT = K8S.resolve("components/remediation");
    private static final String WEBHOOK_ACCOUNT = "probe-rewriter-webhook";
    private static final String OPERATOR_ACCOUNT = "probe-rewriter-operator";
    private static final Map<String, String> OPERATOR_SELECTOR = Map.of(
            "app.kubernetes.io/name", APP,
            "app.kubernetes.io/component", "operator");
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    private static final Set<String> RBAC_KINDS = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

    private static final Map<Path, List<Doc>> docsByFile = new LinkedHashMap<>();
    private static final Map<Path, String> kustomizationText = new LinkedHashMap<>();
    private static final List<Path> otherFiles = new ArrayList<>();
    private static List<Doc> baseResources;
    private static List<Doc> overlayResources;
    private static List<Doc> overlayPatches;
    private static List<Doc> allResources;

    @BeforeAll
    static void readManifests() throws IOException {
        assertTrue(Files.isDirectory(K8S), "run from the project directory: no k8s/ in " + KubeYaml.projectDir());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            // The Helm chart's templates are not manifests until rendered: HelmChartTest renders and checks them.
            files = walk.filter(Files::isRegularFile).map(Path::normalize).filter(f -> !f.startsWith(HELM_CHARTS))
                    .sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
                otherFiles.add(file);
                continue;
            }
            String text = Files.readString(file);
            if (name.equals("kustomization.yaml") || name.equals("kustomization.yml")) {
                kustomizationText.put(file.getParent(), text);
            } else {
                docsByFile.put(file, KubeYaml.parseAll(text, file.toString()));
            }
        }
        baseResources = listedFiles(BASE, "resources");
        overlayResources = listedFiles(OVERLAY, "resources");
        overlayPatches = listedFiles(OVERLAY, "patches");
        allResources = new ArrayList<>(baseResources);
        allResources.addAll(overlayResources);
        assertTrue(listedFiles(DEFAULT_OVERLAY, "resources").isEmpty(), "the default overlay adds no object of its own");
    }

    private static JsonNode kustomization(Path dir) {
        String text = kustomizationText.get(dir.normalize());
        assertNotNull(text, "no kustomization.yaml in " + dir);
        return KubeYaml.parseOne(text, dir.resolve("kustomization.yaml").toString());
    }

    /** Paths a kustomization lists under {@code resources} (files and directories) or {@code patches[].path}. */
    private static List<Path> listedPaths(Path dir, String field) {
        JsonNode list = kustomization(dir).path(field);
        List<Path> out = new ArrayList<>();
        for (JsonNode entry : list) {
            String path = field.equals("patches") ? entry.path("path").asText(null) : entry.asText(null);
            assertNotNull(path, dir + "/kustomization.yaml: " + field + " entry without a path: " + entry);
            out.add(dir.resolve(path).normalize());
        }
        return out;
    }

    private static List<Doc> listedFiles(Path dir, String field) {
        List<Doc> docs = new ArrayList<>();
        for (Path path : listedPaths(dir, field)) {
            if (Files.isDirectory(path)) {
                continue; // a base: checked by itself
            }
            List<Doc> inFile = docsByFile.get(path);
            assertNotNull(inFile, dir + "/kustomization.yaml lists " + path + ", which is not a YAML file under k8s/");
            docs.addAll(inFile);
        }
        return docs;
    }

    private static Doc deployment() {
        return one(baseResources, "Deployment", APP);
    }

    private static Doc operatorDeployment() {
        return one(baseResources, "Deployment", OPERATOR);
    }

    private static JsonNode webhookContainer() {
        return named(deployment().node(), "/spec/template/spec/containers", "webhook", "Deployment");
    }

    private static JsonNode operatorContainer() {
        return named(operatorDeployment().node(), "/spec/template/spec/containers", "operator", "Deployment");
    }

    /** Each Deployment of the base with its one container. */
    private static Map<Doc, JsonNode> deploymentsAndContainers() {
        return Map.of(deployment(), webhookContainer(), operatorDeployment(), operatorContainer());
    }

    private static Doc service() {
        return one(baseResources, "Service", APP);
    }

    private static JsonNode webhook(Doc configuration) {
        JsonNode webhooks = configuration.at("/webhooks");
        assertEquals(1, webhooks.size(), configuration + ": exactly one webhook");
        return webhooks.get(0);
    }

    private static Doc certificate(String name) {
        return one(overlayResources, "Certificate", name);
    }

    /** The overlay's patch document for that object; fails when not exactly one. */
    private static Doc overlayPatch(String kind, String name) {
        return one(overlayPatches, kind, name);
    }

    private static boolean deletes(Doc patch) {
        return "delete".equals(patch.at("/$patch").asText(null));
    }

    private static Map<String, JsonNode> env(JsonNode container, String what) {
        return byName(container, "/env", what + " env");
    }

    private static Doc issuerOf(Doc certificate) {
        assertText("Issuer", certificate.node(), "/spec/issuerRef/kind", certificate + " (a namespaced Issuer)");
        String group = certificate.at("/spec/issuerRef/group").asText("cert-manager.io");
        assertEquals("cert-manager.io", group, certificate + ": issuerRef.group");
        return one(overlayResources, "Issuer", certificate.at("/spec/issuerRef/name").asText());
    }

    // ------------------------------------------------------------------------------------------------ layout

    @Test
    void k8sHoldsOnlyManifestsAndEachIsUsedByAKustomization() {
        assertEquals(List.of(), otherFiles, "k8s/ must hold only YAML manifests");
        assertEquals(Set.of(BASE, DEFAULT_OVERLAY, OVERLAY, ISTIO_OVERLAY, ISTIO_COMPONENT, MONITORING_COMPONENT,
                        NETWORK_POLICY_COMPONENT, OPENSHIFT_COMPONENT, REMEDIATION_COMPONENT), kustomizationText.keySet(),
                "kustomizations: k8s/base, k8s/overlays/default, k8s/overlays/cert-manager, k8s/overlays/istio and"
                        + " k8s/components/istio, monitoring, network-policy, openshift and remediation");
        List<Path> listed = new ArrayList<>();
        for (Path dir : kustomizationText.keySet()) {
            listed.addAll(listedPaths(dir, "resources"));
            listed.addAll(listedPaths(dir, "patches"));
        }
        for (Path file : docsByFile.keySet()) {
            assertEquals(1, listed.stream().filter(file::equals).count(),
                    file + " should be listed by exactly one kustomization (resources or patches)");
        }
        assertTrue(listedPaths(OVERLAY, "resources").contains(BASE), "the cert-manager overlay includes ../../base");
        for (Doc doc : docsByFile.values().stream().flatMap(List::stream).toList()) {
            assertFalse(doc.at("/apiVersion").asText("").isEmpty(), doc + ": apiVersion");
            assertFalse(doc.kind().isEmpty(), doc + ": kind");
            assertFalse(doc.name().isEmpty(), doc + ": metadata.name");
        }
        assertTrue(baseResources.stream().noneMatch(d -> d.at("/apiVersion").asText().startsWith("cert-manager.io/")),
                "the base must not need cert-manager");
        assertNull(one(baseResources, "MutatingWebhookConfiguration", APP).annotation(INJECT_CA_FROM),
                "the base's webhook configuration must not wait for cert-manager's CA injector");
    }

    @Test
    void defaultOverlayIsTheBaseAloneAndNeedsNoCertManager() {
        JsonNode k = kustomization(DEFAULT_OVERLAY);
        String what = DEFAULT_OVERLAY + "/kustomization.yaml";
        assertEquals(List.of("../../base"), texts(k, "/resources", what), what + ": resources");
        assertEquals(List.of(BASE), listedPaths(DEFAULT_OVERLAY, "resources"), what + " lists k8s/base only");
        List<String> fields = new ArrayList<>();
        k.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("apiVersion", "kind", "resources"), new HashSet<>(fields),
                what + ": no patches, components, generators or transformers: the base as it is");
        // What the base needs from the cluster is Kubernetes only: no kind from cert-manager (or any CRD) and no
        // annotation a cert-manager controller would act on.
        Set<String> builtInGroups = Set.of("v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
                "admissionregistration.k8s.io/v1");
        for (Doc doc : baseResources) {
            assertTrue(builtInGroups.contains(doc.at("/apiVersion").asText()), doc + ": a built-in kind");
            doc.node().path("metadata").path("annotations").fieldNames().forEachRemaining(a ->
                    assertFalse(a.startsWith("cert-manager.io/"), doc + ": annotation " + a));
        }
    }

    @Test
    void kustomizationsSetTheNamespaceAndSayHowToApply() {
        for (Path dir : List.of(BASE, DEFAULT_OVERLAY, OVERLAY)) {
            JsonNode k = kustomization(dir);
            String what = dir + "/kustomization.yaml";
            assertText("kustomize.config.k8s.io/v1beta1", k, "/apiVersion", what);
            assertText("Kustomization", k, "/kind", what);
            String text = kustomizationText.get(dir);
            assertTrue(text.startsWith("#"), what + " should open with a comment saying what it is for");
            String apply = "kubectl apply -k " + (dir.equals(OVERLAY) ? OVERLAY : DEFAULT_OVERLAY);
            assertTrue(text.contains(apply), what + "'s comment should say how to apply: " + apply);
        }
        // The default overlay takes the namespace from the base; the cert-manager overlay's own objects need it.
        assertText(NAMESPACE, kustomization(BASE), "/namespace", BASE + "/kustomization.yaml");
        assertText(NAMESPACE, kustomization(OVERLAY), "/namespace", OVERLAY + "/kustomization.yaml");

        String base = kustomizationText.get(BASE);
        for (String mention : List.of(TLS_SECRET, "probe-rewriter-ca", "caBundle", "PROBE_REWRITER_TLS_SOURCE=secret")) {
            assertTrue(base.contains(mention), "the base's comment should explain the self-managed certificates: "
                    + mention);
        }
        assertFalse(base.contains("later release"), "the base's comment still says the operator comes later");
        String defaults = kustomizationText.get(DEFAULT_OVERLAY);
        assertTrue(defaults.contains("docs/install.md"), "the default overlay's comment points at docs/install.md");
        assertTrue(defaults.contains(TLS_SECRET) && defaults.contains("Lease"),
                "the default overlay's comment says what comes up (the Secrets, the Lease)");
        String certManager = kustomizationText.get(OVERLAY);
        for (String mention : List.of("PROBE_REWRITER_TLS_SOURCE=files",
                "PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED=false", CERTIFICATES, "k8s/overlays/default")) {
            assertTrue(certManager.contains(mention), "the cert-manager overlay's comment should mention " + mention);
        }
        assertEquals(List.of(OVERLAY.resolve("mutatingwebhookconfiguration-inject-ca.yaml"),
                        OVERLAY.resolve("deployment-tls-files.yaml"),
                        OVERLAY.resolve("deployment-operator-no-certificates.yaml"),
                        OVERLAY.resolve("delete-clusterrole-certificates.yaml"),
                        OVERLAY.resolve("delete-clusterrolebinding-certificates.yaml"),
                        OVERLAY.resolve("delete-role-certificates.yaml"),
                        OVERLAY.resolve("delete-rolebinding-certificates.yaml"),
                        OVERLAY.resolve("delete-role-serving-certificate.yaml"),
                        OVERLAY.resolve("delete-rolebinding-serving-certificate.yaml")),
                listedPaths(OVERLAY, "patches"),
                "the cert-manager overlay's patches: CA injection, the webhook's TLS from files, the operator's"
                        + " certificates off, no certificates RBAC");
    }

    /**
     * kustomize before v5.1 (kubectl 1.27 to 1.30) cannot read a patch file of several documents, and v5.5 (kubectl
     * 1.32) panics on several {@code $patch: delete} in one: every patch file holds one document, so that every
     * kubectl the docs promise renders the install.
     */
    @Test
    void everyPatchFileHoldsOneDocument() throws IOException {
        for (Path overlay : List.of(OVERLAY, DEFAULT_OVERLAY, ISTIO_OVERLAY)) {
            for (Path patch : listedPaths(overlay, "patches")) {
                assertEquals(1, KubeYaml.parseAll(Files.readString(patch), patch.toString()).size(),
                        patch + ": one patch document per file");
            }
        }
    }

    /**
     * Istio's ConfigMaps are read under a Role in Istio's namespace that only the Istio overlay (or a user's overlay
     * with the component) applies: the base must install on a cluster without istio-system.
     */
    @Test
    void readingIstiosConfigMapsIsAComponentWithARoleInIstiosNamespace() {
        JsonNode component = kustomization(ISTIO_COMPONENT);
        String what = ISTIO_COMPONENT + "/kustomization.yaml";
        assertText("kustomize.config.k8s.io/v1alpha1", component, "/apiVersion", what);
        assertText("Component", component, "/kind", what);
        assertTrue(kustomizationText.get(ISTIO_COMPONENT).contains("kubectl apply -k " + ISTIO_OVERLAY),
                what + "'s comment should say how to apply it");
        List<Doc> rbac = listedFiles(ISTIO_COMPONENT, "resources");
        assertEquals(Set.of("Role", "RoleBinding"), rbac.stream().map(Doc::kind).collect(Collectors.toSet()),
                "a Role, never a ClusterRole: no cluster-wide ConfigMap access");
        for (Doc doc : rbac) {
            assertEquals("istio-system", doc.namespace(), doc + ": in Istio's namespace");
        }
        assertTrue(baseResources.stream().noneMatch(d -> "istio-system".equals(d.namespace())),
                "the base must not need istio-system");
        for (Doc role : allResources.stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            for (JsonNode rule : role.at("/rules")) {
                assertFalse(texts(rule, "/resources", role.toString()).contains("configmaps"),
                        role + ": ConfigMaps are read in Istio's namespace only, under probe-rewriter-istio");
            }
        }

        JsonNode overlay = kustomization(ISTIO_OVERLAY);
        String overlayWhat = ISTIO_OVERLAY + "/kustomization.yaml";
        assertEquals(List.of(BASE), listedPaths(ISTIO_OVERLAY, "resources"), overlayWhat + ": the base");
        assertEquals(List.of("../../components/istio"), texts(overlay, "/components", overlayWhat));
        assertTrue(overlay.path("namespace").isMissingNode(),
                overlayWhat + ": no namespace of its own, or the Role would leave istio-system");
        assertTrue(kustomizationText.get(ISTIO_OVERLAY).contains("kubectl apply -k " + ISTIO_OVERLAY),
                overlayWhat + "'s comment should say how to apply it");
    }

    @Test
    void everyObjectCarriesTheAppLabels() {
        for (Doc doc : allResources) {
            for (Map.Entry<String, String> label : COMMON_LABELS.entrySet()) {
                assertEquals(label.getValue(), doc.label(label.getKey()), doc + ": label " + label.getKey());
            }
        }
        Doc deployment = deployment();
        assertEquals("webhook", deployment.label("app.kubernetes.io/component"), deployment + ": component label");
        Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels", "pod template");
        Map<String, String> expected = new LinkedHashMap<>(COMMON_LABELS);
        expected.putAll(WEBHOOK_SELECTOR);
        expected.forEach((k, v) -> assertEquals(v, podLabels.get(k), "pod template label " + k));
    }

    /**
     * The webhook and the operator stay out of the mesh whatever their namespace's labels or the mesh's defaults:
     * under STRICT mTLS a sidecar or ambient's ztunnel in front of them would refuse the API server's calls and
     * Prometheus' scrapes, and every pod would be admitted unrewritten (failurePolicy Ignore) without an error.
     */
    @Test
    void bothPodsStayOutOfTheMesh() {
        for (Doc deployment : List.of(deployment(), operatorDeployment())) {
            Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels",
                    deployment + ": pod template");
            assertEquals("false", podLabels.get("sidecar.istio.io/inject"), deployment + ": no sidecar");
            assertEquals("none", podLabels.get("istio.io/dataplane-mode"), deployment + ": not in ambient");
        }
    }

    @Test
    void namespacedObjectsLiveInTheSystemNamespaceAndClusterObjectsInNone() {
        one(baseResources, "Namespace", NAMESPACE);
        List<Doc> objectsAndPatches = new ArrayList<>(allResources);
        objectsAndPatches.addAll(overlayPatches); // a patch names the object it changes, namespace included
        for (Doc doc : objectsAndPatches) {
            if (KubeYaml.CLUSTER_SCOPED_KINDS.contains(doc.kind())) {
                assertAbsent(doc.node(), "/metadata/namespace", doc + " is cluster-scoped");
            } else {
                assertEquals(NAMESPACE, doc.namespace(), doc + ": metadata.namespace");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ RBAC

    /** One PolicyRule; order inside a list does not matter to the API server, so sets. */
    record Rule(Set<String> apiGroups, Set<String> resources, Set<String> resourceNames, Set<String> verbs) {

        static Rule of(List<String> apiGroups, List<String> resources, List<String> resourceNames, List<String> verbs) {
            return new Rule(Set.copyOf(apiGroups), Set.copyOf(resources), Set.copyOf(resourceNames), Set.copyOf(verbs));
        }

        boolean grants(String resource) {
            return resources.contains(resource);
        }
    }

    /** The operator's read of its own webhook configuration's scope: list and watch, of that one object. */
    private static final Rule READ_OWN_WEBHOOK_CONFIGURATION = Rule.of(List.of("admissionregistration.k8s.io"),
            List.of("mutatingwebhookconfigurations"), List.of("probe-rewriter"), List.of("list", "watch"));

    private static final Map<String, Set<Rule>> EXPECTED_RULES = Map.of(
            "ClusterRole/probe-rewriter-read", Set.of(
                    Rule.of(List.of(""), List.of("namespaces", "services", "limitranges"), List.of(), List.of("list", "watch")),
                    Rule.of(List.of("security.istio.io"), List.of("peerauthentications"), List.of(),
                            List.of("list", "watch")),
                    Rule.of(List.of("authentication.istio.io"), List.of("policies", "meshpolicies"), List.of(),
                            List.of("list", "watch"))),
            "ClusterRole/probe-rewriter-operator", Set.of(
                    Rule.of(List.of(""), List.of("events"), List.of(), List.of("get", "create", "update", "patch")),
                    Rule.of(List.of(""), List.of("pods"), List.of(), List.of("list", "watch")),
                    Rule.of(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets"), List.of(),
                            List.of("get")),
                    Rule.of(List.of("apps"), List.of("replicasets"), List.of(), List.of("get")),
                    READ_OWN_WEBHOOK_CONFIGURATION),
            "ClusterRole/" + PORT_EXCEPTIONS, Set.of(
                    Rule.of(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets"), List.of(),
                            List.of("list", "watch")),
                    Rule.of(List.of("security.istio.io"), List.of("peerauthentications"), List.of(),
                            List.of("get", "create", "update", "delete")),
                    Rule.of(List.of("authentication.istio.io"), List.of("policies"), List.of(),
                            List.of("get", "create", "update", "delete"))),
            "ClusterRole/" + CERTIFICATES, Set.of(
                    Rule.of(List.of("admissionregistration.k8s.io"), List.of("mutatingwebhookconfigurations"), List.of(),
                            List.of("list", "watch")),
                    Rule.of(List.of("admissionregistration.k8s.io"), List.of("mutatingwebhookconfigurations"),
                            List.of(APP), List.of("get", "patch"))),
            "Role/" + CERTIFICATES, Set.of(
                    Rule.of(List.of(""), List.of("secrets"), List.of(), List.of("create")),
                    Rule.of(List.of(""), List.of("secrets"), List.of(CA_SECRET, TLS_SECRET),
                            List.of("get", "list", "watch", "update", "delete"))),
            "Role/" + SERVING_CERTIFICATE, Set.of(
                    Rule.of(List.of(""), List.of("secrets"), List.of(TLS_SECRET), List.of("get", "list", "watch"))),
            "Role/probe-rewriter-leader-election", Set.of(
                    Rule.of(List.of("coordination.k8s.io"), List.of("leases"), List.of(), List.of("create")),
                    Rule.of(List.of("coordination.k8s.io"), List.of("leases"), List.of(OPERATOR),
                            List.of("get", "update", "patch"))));

    /** The rules of a Role or ClusterRole, each checked for shape: no wildcard, no repeats, no unknown field. */
    private static List<Rule> rules(Doc role) {
        String what = role.toString();
        assertText("rbac.authorization.k8s.io/v1", role.node(), "/apiVersion", what);
        assertAbsent(role.node(), "/aggregationRule", what);
        JsonNode rules = role.at("/rules");
        assertTrue(rules.isArray() && !rules.isEmpty(), what + ": rules");
        List<Rule> out = new ArrayList<>();
        for (JsonNode rule : rules) {
            rule.fieldNames().forEachRemaining(f -> assertTrue(
                    Set.of("apiGroups", "resources", "resourceNames", "verbs").contains(f),
                    what + ": unexpected rule field " + f + " (no nonResourceURLs)"));
            List<String> groups = texts(rule, "/apiGroups", what);
            List<String> resources = texts(rule, "/resources", what);
            List<String> names = rule.has("resourceNames") ? texts(rule, "/resourceNames", what) : List.of();
            List<String> verbs = texts(rule, "/verbs", what);
            for (List<String> list : List.of(groups, resources, names, verbs)) {
                assertEquals(new HashSet<>(list).size(), list.size(), what + ": repeated entry in " + list);
                list.forEach(v -> assertFalse(v.contains("*"), what + ": wildcard " + v + " in " + rule));
                list.forEach(v -> assertFalse(v.contains("/"), what + ": subresource " + v + " in " + rule));
            }
            assertEquals(1, groups.size(), what + ": one API group per rule, so that each can be edited alone");
            out.add(Rule.of(groups, resources, names, verbs));
        }
        return out;
    }

    private static List<Doc> rbac(List<Doc> docs) {
        return docs.stream().filter(d -> RBAC_KINDS.contains(d.kind())).toList();
    }

    @Test
    void rbacGrantsExactlyWhatEachPartNeeds() {
        Set<String> expectedObjects = new HashSet<>();
        EXPECTED_RULES.keySet().forEach(role -> {
            expectedObjects.add(role);
            expectedObjects.add(role.replace("Role/", "RoleBinding/"));
        });
        assertEquals(expectedObjects, rbac(allResources).stream().map(d -> d.kind() + "/" + d.name())
                        .collect(Collectors.toSet()),
                "RBAC objects: the shared reads, the webhook's serving Secret, the operator's, the certificates"
                        + " reconciler's and leader election's roles, each with its binding, all in the base");
        assertTrue(rbac(overlayResources).isEmpty(), "the cert-manager overlay adds no RBAC");

        for (Doc role : baseResources.stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            List<Rule> rules = rules(role);
            assertEquals(rules.size(), new HashSet<>(rules).size(), role + ": a rule repeated");
            assertEquals(EXPECTED_RULES.get(role.kind() + "/" + role.name()), new HashSet<>(rules),
                    role + ": exactly these rules");
        }
    }

    @Test
    void secretsLeasesAndTheWebhookConfigurationAreGrantedNarrowly() {
        String mwcName = one(baseResources, "MutatingWebhookConfiguration", APP).name();
        int secretRules = 0;
        int leaseRules = 0;
        int mwcWriteRules = 0;
        for (Doc role : rbac(baseResources).stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            for (Rule rule : rules(role)) {
                if (rule.grants("secrets")) {
                    secretRules++;
                    assertEquals("Role", role.kind(), role + ": Secrets never through a ClusterRole");
                    assertEquals(NAMESPACE, role.namespace(), role + ": Secrets only in probe-rewriter's namespace");
                    assertEquals(Set.of("secrets"), rule.resources(), role + ": the Secrets rule grants Secrets only");
                    if (boundTo(role).contains(WEBHOOK_ACCOUNT)) {
                        assertEquals(Set.of(TLS_SECRET), rule.resourceNames(),
                                role + ": the webhook reads its serving Secret only, by name (never the CA's key)");
                        assertTrue(READ_VERBS.containsAll(rule.verbs()), role + ": the webhook only reads it");
                    }
                    if (!rule.verbs().equals(Set.of("create"))) {
                        // A shared namespace holds other Secrets (Helm's release Secrets among them): only create,
                        // which RBAC cannot limit by name, goes without one.
                        assertTrue(Set.of(CA_SECRET, TLS_SECRET).containsAll(rule.resourceNames())
                                        && !rule.resourceNames().isEmpty(),
                                role + ": Secrets are read, watched and written only by name, the operator's two");
                    }
                    assertFalse(rule.verbs().contains("deletecollection"), role + ": deletecollection of Secrets");
                }
                if (rule.grants("leases")) {
                    leaseRules++;
                    assertEquals("Role", role.kind(), role + ": the Lease is in our namespace, so a Role");
                    assertEquals(NAMESPACE, role.namespace(), role + ": the Lease's namespace");
                    assertEquals(Set.of("coordination.k8s.io"), rule.apiGroups(), role + ": Leases' group");
                    if (!rule.verbs().equals(Set.of("create"))) {
                        assertEquals(Set.of(OPERATOR), rule.resourceNames(), role + ": the operator's Lease only");
                    }
                }
                if (rule.grants("mutatingwebhookconfigurations")) {
                    assertEquals("ClusterRole", role.kind(), role + ": webhook configurations are cluster-scoped");
                    Set<String> writes = new HashSet<>(rule.verbs());
                    writes.retainAll(Set.of("create", "update", "patch", "delete", "deletecollection"));
                    if (!writes.isEmpty()) {
                        mwcWriteRules++;
                        assertEquals(Set.of(mwcName), rule.resourceNames(),
                                role + ": writes to webhook configurations only to our own, by name");
                        assertFalse(writes.contains("create") || writes.contains("deletecollection"),
                                role + ": create and deletecollection cannot be limited by name");
                    } else {
                        assertTrue(Set.of("get", "list", "watch").containsAll(rule.verbs()), role + ": reads");
                    }
                }
            }
        }
        assertEquals(3, secretRules, "three rules grant Secrets: the operator's create, the rest of its two by name,"
                + " and the webhook's by name");
        assertEquals(2, leaseRules, "two rules grant Leases: create, and the rest of the operator's by name");
        assertEquals(1, mwcWriteRules, "one rule writes the webhook configuration");
        for (Doc role : rbac(baseResources).stream().filter(d -> d.kind().equals("ClusterRole")).toList()) {
            for (Rule rule : rules(role)) {
                for (String forbidden : List.of("secrets", "leases", "clusterroles", "roles", "rolebindings",
                        "clusterrolebindings", "serviceaccounts", "validatingwebhookconfigurations")) {
                    assertFalse(rule.grants(forbidden), role + " must not grant " + forbidden);
                }
            }
        }
    }

    /** Who each role is for: the webhook's account only reads; everything that writes is the operator's. */
    private static final Map<String, Set<String>> BOUND_ACCOUNTS = Map.of(
            "probe-rewriter-read", Set.of(WEBHOOK_ACCOUNT, OPERATOR_ACCOUNT),
            SERVING_CERTIFICATE, Set.of(WEBHOOK_ACCOUNT),
            OPERATOR, Set.of(OPERATOR_ACCOUNT),
            PORT_EXCEPTIONS, Set.of(OPERATOR_ACCOUNT),
            CERTIFICATES, Set.of(OPERATOR_ACCOUNT),
            "probe-rewriter-leader-election", Set.of(OPERATOR_ACCOUNT));

    /** The ServiceAccounts the binding of that role's name binds it to. */
    private static Set<String> boundTo(Doc role) {
        Doc binding = one(baseResources, role.kind() + "Binding", role.name());
        Set<String> accounts = new HashSet<>();
        binding.at("/subjects").forEach(subject -> accounts.add(subject.path("name").asText()));
        return accounts;
    }

    @Test
    void everyBindingBindsItsRoleToTheAccountsThatNeedIt() {
        Set<String> accounts = baseResources.stream().filter(d -> d.kind().equals("ServiceAccount")).map(Doc::name)
                .collect(Collectors.toSet());
        assertEquals(Set.of(WEBHOOK_ACCOUNT, OPERATOR_ACCOUNT), accounts, "one ServiceAccount per process");
        assertText(WEBHOOK_ACCOUNT, deployment().node(), "/spec/template/spec/serviceAccountName",
                "the webhook Deployment runs as the webhook's account");
        assertText(OPERATOR_ACCOUNT, operatorDeployment().node(), "/spec/template/spec/serviceAccountName",
                "the operator Deployment runs as the operator's account");
        List<Doc> bindings = rbac(baseResources).stream().filter(d -> d.kind().endsWith("Binding")).toList();
        assertEquals(rbac(baseResources).stream().filter(d -> d.kind().endsWith("Role")).count(), bindings.size(),
                "one binding per role");
        for (Doc binding : bindings) {
            String what = binding.toString();
            String roleKind = binding.kind().equals("RoleBinding") ? "Role" : "ClusterRole";
            assertText("rbac.authorization.k8s.io/v1", binding.node(), "/apiVersion", what);
            assertText("rbac.authorization.k8s.io", binding.node(), "/roleRef/apiGroup", what);
            assertText(roleKind, binding.node(), "/roleRef/kind", what + " (a RoleBinding binds a Role, a"
                    + " ClusterRoleBinding a ClusterRole: no ClusterRole granted in one namespace by accident)");
            assertText(binding.name(), binding.node(), "/roleRef/name", what + " binds the role of its own name");
            Doc role = one(baseResources, roleKind, binding.name());
            assertEquals(role.namespace(), binding.namespace(), what + ": beside its Role");
            Set<String> subjects = new HashSet<>();
            for (JsonNode subject : binding.at("/subjects")) {
                assertText("ServiceAccount", subject, "/kind", what + " subject");
                assertText(NAMESPACE, subject, "/namespace", what + " subject's namespace");
                assertAbsent(subject, "/apiGroup", what + " subject (a ServiceAccount has none)");
                assertTrue(subjects.add(subject.path("name").asText()), what + ": a subject repeated");
            }
            assertEquals(BOUND_ACCOUNTS.get(binding.name()), subjects, what + ": bound to exactly these accounts");
        }
    }

    /**
     * The webhook is the process the API server calls, so the one an attacker reaches first: whatever it is made to
     * do, its account can write nothing — no Secret, no webhook configuration, no PeerAuthentication, no workload, no
     * Event, no Lease — and read no Secret but its serving certificate.
     */
    @Test
    void theWebhooksAccountOnlyReads() {
        int rulesSeen = 0;
        for (Doc role : rbac(baseResources).stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            if (!boundTo(role).contains(WEBHOOK_ACCOUNT)) {
                continue;
            }
            for (Rule rule : rules(role)) {
                rulesSeen++;
                assertTrue(READ_VERBS.containsAll(rule.verbs()), role + " gives the webhook's account " + rule.verbs());
            }
        }
        assertTrue(rulesSeen >= 4, "the webhook's reads were found: " + rulesSeen);
        List<Doc> istio = listedFiles(ISTIO_COMPONENT, "resources");
        for (Doc role : istio.stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            for (Rule rule : rules(role)) {
                assertTrue(READ_VERBS.containsAll(rule.verbs()), role + ": Istio's ConfigMaps are only read");
            }
        }
        for (Doc binding : istio.stream().filter(d -> d.kind().endsWith("Binding")).toList()) {
            Set<String> subjects = new HashSet<>();
            binding.at("/subjects").forEach(subject -> subjects.add(subject.path("name").asText()));
            assertEquals(Set.of(WEBHOOK_ACCOUNT, OPERATOR_ACCOUNT), subjects,
                    binding + ": both processes run the mTLS resolver");
        }
    }

    /**
     * patch on every workload of the cluster is as good as cluster-admin (a pod template runs any image under any
     * ServiceAccount of its namespace): the base never grants it, nor any other write to a workload. Only the
     * remediation component does, together with the setting that has the operator use it.
     */
    @Test
    void onlyTheRemediationComponentWritesWorkloads() {
        Set<String> workloadWrites = Set.of("create", "update", "patch", "delete", "deletecollection");
        for (Doc role : rbac(baseResources).stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            for (Rule rule : rules(role)) {
                if (rule.apiGroups().contains("apps")) {
                    assertTrue(rule.verbs().stream().noneMatch(workloadWrites::contains),
                            role + " writes workloads in the base: " + rule);
                }
            }
        }
        List<Doc> component = listedFiles(REMEDIATION_COMPONENT, "resources");
        assertEquals(Set.of("ClusterRole/" + REMEDIATION, "ClusterRoleBinding/" + REMEDIATION),
                component.stream().map(d -> d.kind() + "/" + d.name()).collect(Collectors.toSet()));
        assertEquals(List.of(Rule.of(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets"), List.of(),
                List.of("patch"))), rules(one(component, "ClusterRole", REMEDIATION)), "patch, of the three, alone");
        Doc binding = one(component, "ClusterRoleBinding", REMEDIATION);
        assertText(REMEDIATION, binding.node(), "/roleRef/name", binding.toString());
        assertEquals(1, binding.at("/subjects").size(), binding.toString());
        assertText(OPERATOR_ACCOUNT, binding.node(), "/subjects/0/name", binding + ": the operator's account only");
        assertText(NAMESPACE, binding.node(), "/subjects/0/namespace", binding.toString());
        Doc patch = one(listedFiles(REMEDIATION_COMPONENT, "patches"), "Deployment", OPERATOR);
        Map<String, JsonNode> env = env(patch.at("/spec/template/spec/containers/0"), patch.toString());
        assertText("true", env.get("PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_ENABLED"), "/value",
                patch + ": the grant comes with the setting that uses it");
        JsonNode baseEnv = operatorDeployment().at("/spec/template/spec/containers/0/env");
        baseEnv.forEach(e -> assertNotEquals("PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_ENABLED",
                e.path("name").asText(), "the base leaves remediation at its default, off"));
    }

    @Test
    void certManagerOverlayDeletesTheCertificatesRbac() {
        List<Doc> deletions = overlayPatches.stream().filter(ManifestsTest::deletes).toList();
        assertEquals(Set.of("ClusterRole/" + CERTIFICATES, "ClusterRoleBinding/" + CERTIFICATES,
                        "Role/" + CERTIFICATES, "RoleBinding/" + CERTIFICATES,
                        "Role/" + SERVING_CERTIFICATE, "RoleBinding/" + SERVING_CERTIFICATE),
                deletions.stream().map(d -> d.kind() + "/" + d.name()).collect(Collectors.toSet()),
                "the cert-manager overlay deletes the certificates reconciler's roles and bindings and the webhook's"
                        + " Secret read, nothing else");
        for (Doc deletion : deletions) {
            Doc target = one(baseResources, deletion.kind(), deletion.name());
            assertEquals(target.at("/apiVersion"), deletion.at("/apiVersion"), deletion + ": apiVersion");
            assertEquals(target.namespace(), deletion.namespace(), deletion + ": namespace of the deleted object");
            Set<String> fields = new HashSet<>();
            deletion.node().fieldNames().forEachRemaining(fields::add);
            assertEquals(Set.of("$patch", "apiVersion", "kind", "metadata"), fields, deletion + ": a bare deletion");
        }
        // What remains grants no Secret and no write to a webhook configuration: nothing the files source or the
        // operator without its certificates reconciler needs. Reading our own, by name, stays: the audit and the port
        // exceptions follow its selectors.
        Set<String> deleted = deletions.stream().map(d -> d.kind() + "/" + d.name()).collect(Collectors.toSet());
        for (Doc role : rbac(baseResources).stream().filter(d -> d.kind().endsWith("Role")).toList()) {
            if (deleted.contains(role.kind() + "/" + role.name())) {
                continue;
            }
            for (Rule rule : rules(role)) {
                assertFalse(rule.grants("secrets"), role + " survives the cert-manager overlay and grants Secrets");
                assertFalse(rule.grants("mutatingwebhookconfigurations") && !rule.equals(READ_OWN_WEBHOOK_CONFIGURATION),
                        role + " survives the cert-manager overlay and grants webhook configurations beyond reading"
                                + " its own by name");
            }
        }
        for (Doc binding : rbac(baseResources).stream().filter(d -> d.kind().endsWith("Binding")).toList()) {
            String roleRef = binding.at("/roleRef/kind").asText() + "/" + binding.at("/roleRef/name").asText();
            assertEquals(deleted.contains(roleRef), deleted.contains(binding.kind() + "/" + binding.name()),
                    binding + " is deleted exactly when the role it binds is");
        }
    }

    // ------------------------------------------------------------------------------------------------ Deployment

    @Test
    void deploymentRunsTheWebhookContainer() {
        Doc deployment = deployment();
        String what = deployment.toString();
        assertText("apps/v1", deployment.node(), "/apiVersion", what);
        assertInt(2, deployment.node(), "/spec/replicas", what);
        assertEquals(WEBHOOK_SELECTOR, stringMap(deployment.node(), "/spec/selector/matchLabels", what),
                what + ": selector is name + component");
        assertAbsent(deployment.node(), "/spec/selector/matchExpressions", what);
        Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels", what);
        assertTrue(podLabels.entrySet().containsAll(WEBHOOK_SELECTOR.entrySet()), what + ": pods match the selector");

        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), what + ": one container");
        JsonNode c = webhookContainer();
        String cw = what + " container webhook";
        assertText("probe-rewriter:0.1.0", c, "/image", cw);
        assertText("IfNotPresent", c, "/imagePullPolicy", cw + " (image built locally)");
        assertEquals(List.of("serve"), texts(c, "/args", cw), cw + ": args");
        assertAbsent(c, "/command", cw + " (the image's entrypoint runs the jar)");

        Map<String, JsonNode> ports = byName(c, "/ports", cw);
        assertEquals(List.of("https", "management"), new ArrayList<>(ports.keySet()), cw + ": port names");
        assertInt(8443, ports.get("https"), "/containerPort", cw + " port https");
        assertText("TCP", ports.get("https"), "/protocol", cw + " port https");
        assertInt(9000, ports.get("management"), "/containerPort", cw + " port management");
        assertText("TCP", ports.get("management"), "/protocol", cw + " port management");

        Map<String, JsonNode> env = env(c, cw);
        assertEquals(List.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE", "PROBE_REWRITER_TLS_SOURCE",
                "PROBE_REWRITER_PROBER_IMAGE"), new ArrayList<>(env.keySet()), cw + ": env names");
        // The same image the engine uses when nothing says otherwise: the CLI and the install inject the same prober.
        assertText(io.proberewriter.engine.GlobalSettings.DEFAULT_PROBER_IMAGE, env.get("PROBE_REWRITER_PROBER_IMAGE"),
                "/value", cw + " env PROBE_REWRITER_PROBER_IMAGE");
        // One processor for the JVM's sizing whatever the limit, which is two cores for start-up's JIT; C1 alone,
        // since TLS is BoringSSL's (the default probe-rewriter.webhook.tls-engine), on one compiler thread.
        assertText("-XX:ActiveProcessorCount=1 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MaxRAMPercentage=60"
                        + " -XX:+ExitOnOutOfMemoryError", env.get("JAVA_OPTS_APPEND"), "/value",
                cw + " env JAVA_OPTS_APPEND");
        // The serving Secret lives in the pod's own namespace, whatever it is.
        JsonNode namespace = env.get("PROBE_REWRITER_NAMESPACE");
        assertAbsent(namespace, "/value", cw + " env PROBE_REWRITER_NAMESPACE (from the downward API)");
        assertText("metadata.namespace", namespace, "/valueFrom/fieldRef/fieldPath", cw + " env PROBE_REWRITER_NAMESPACE");
        assertEquals(1, namespace.path("valueFrom").size(), cw + " env PROBE_REWRITER_NAMESPACE: fieldRef only");
        // Self-managed certificates: the webhook reads the operator's Secret through the API.
        assertText("secret", env.get("PROBE_REWRITER_TLS_SOURCE"), "/value", cw + " env PROBE_REWRITER_TLS_SOURCE");

        assertText("100m", c, "/resources/requests/cpu", cw);
        assertText("256Mi", c, "/resources/requests/memory", cw);
        assertText("2", c, "/resources/limits/cpu", cw);
        assertText("512Mi", c, "/resources/limits/memory", cw);
    }

    @Test
    void deploymentProbesUseThePlainHttpManagementPort() {
        deploymentsAndContainers().values().forEach(ManifestsTest::assertProbesOnTheManagementPort);
    }

    private static void assertProbesOnTheManagementPort(JsonNode c) {
        String container = "container " + c.path("name").asText();
        Map<String, String> paths = Map.of(
                "startupProbe", "/q/health/live",
                "livenessProbe", "/q/health/live",
                "readinessProbe", "/q/health/ready");
        Map<String, JsonNode> ports = byName(c, "/ports", container);
        paths.forEach((probeKind, path) -> {
            String what = container + " " + probeKind;
            JsonNode probe = c.path(probeKind);
            assertTrue(probe.isObject(), what + " is missing");
            assertText(path, probe, "/httpGet/path", what);
            JsonNode port = probe.at("/httpGet/port");
            boolean management = port.isTextual() ? port.textValue().equals("management")
                    : port.isIntegralNumber() && port.intValue() == ports.get("management").path("containerPort").intValue();
            assertTrue(management, what + " should target the management port (9000), got " + port);
            String scheme = probe.at("/httpGet/scheme").asText("HTTP");
            assertEquals("HTTP", scheme, what + ": kubelet has no client certificate, so plain HTTP");
            int period = probe.path("periodSeconds").asInt(10);
            int failures = probe.path("failureThreshold").asInt(3);
            int timeout = probe.path("timeoutSeconds").asInt(1);
            assertTrue(period >= 1 && period <= 30, what + ": periodSeconds " + period);
            assertTrue(timeout >= 1 && timeout <= period, what + ": timeoutSeconds " + timeout + " within the period");
            assertTrue(failures >= 1, what + ": failureThreshold " + failures);
        });
        JsonNode startup = c.path("startupProbe");
        int startupBudget = startup.path("periodSeconds").asInt(10) * startup.path("failureThreshold").asInt(3);
        assertTrue(startupBudget >= 30 && startupBudget <= 300,
                container + ": startupProbe should allow between 30 s and 5 min to start, allows " + startupBudget + " s");
        JsonNode liveness = c.path("livenessProbe");
        int livenessBudget = liveness.path("periodSeconds").asInt(10) * liveness.path("failureThreshold").asInt(3);
        assertTrue(livenessBudget >= 10, container + ": livenessProbe restarts after " + livenessBudget + " s, too eager");
    }

    @Test
    void deploymentRunsRestrictedAsUser185() {
        deploymentsAndContainers().forEach(ManifestsTest::assertRestrictedAsUser185);
    }

    private static void assertRestrictedAsUser185(Doc deployment, JsonNode c) {
        JsonNode pod = deployment.at("/spec/template/spec");
        String what = deployment + " pod securityContext";
        assertBool(true, pod, "/securityContext/runAsNonRoot", what);
        assertInt(185, pod, "/securityContext/runAsUser", what);
        assertInt(185, pod, "/securityContext/runAsGroup", what);
        assertInt(185, pod, "/securityContext/fsGroup", what);
        assertText("RuntimeDefault", pod, "/securityContext/seccompProfile/type", what);
        for (String host : List.of("/hostNetwork", "/hostPID", "/hostIPC")) {
            assertFalse(pod.at(host).asBoolean(false), deployment + " pod must not set " + host);
        }

        String cw = deployment + " container " + c.path("name").asText() + " securityContext";
        assertBool(false, c, "/securityContext/allowPrivilegeEscalation", cw);
        assertBool(true, c, "/securityContext/readOnlyRootFilesystem", cw);
        assertEquals(List.of("ALL"), texts(c, "/securityContext/capabilities/drop", cw), cw + ": drop ALL");
        assertAbsent(c, "/securityContext/capabilities/add", cw);
        assertFalse(c.at("/securityContext/privileged").asBoolean(false), cw + ": not privileged");
        for (String override : List.of("/securityContext/runAsUser", "/securityContext/runAsNonRoot")) {
            JsonNode value = c.at(override);
            assertTrue(value.isMissingNode() || value.equals(pod.at(override)),
                    cw + ": " + override + " must not override the pod's");
        }
    }

    @Test
    void baseDeploymentMountsOnlyAWritableTmp() {
        deploymentsAndContainers().forEach(ManifestsTest::assertOnlyAWritableTmp);
    }

    private static void assertOnlyAWritableTmp(Doc deployment, JsonNode c) {
        JsonNode pod = deployment.at("/spec/template/spec");
        Map<String, JsonNode> volumes = byName(pod, "/volumes", deployment + " volumes");
        Map<String, JsonNode> mounts = byName(c, "/volumeMounts", deployment + " volumeMounts");
        // The certificate comes through the API (PROBE_REWRITER_TLS_SOURCE=secret): no Secret on disk.
        assertEquals(Set.of("tmp"), volumes.keySet(), deployment + " volumes: /tmp only");
        assertEquals(Set.of("tmp"), mounts.keySet(), deployment + " volumeMounts: /tmp only");
        assertAbsent(c, "/volumeDevices", deployment.toString());

        JsonNode tmpMount = mounts.get("tmp");
        assertText("/tmp", tmpMount, "/mountPath", "the tmp mount");
        assertFalse(tmpMount.path("readOnly").asBoolean(false), "/tmp must be writable (the JVM needs it)");
        JsonNode tmp = volumes.get("tmp");
        assertTrue(tmp.path("emptyDir").isObject(), "/tmp should be an emptyDir, got " + tmp);
        assertText("64Mi", tmp, "/emptyDir/sizeLimit", "the tmp volume");
    }

    @Test
    void certManagerOverlayServesTheMountedSecretAndTurnsTheCertificatesReconcilerOff() {
        Doc patch = overlayPatch("Deployment", APP);
        Doc deployment = deployment();
        String what = patch.toString();
        assertEquals(deployment.at("/apiVersion"), patch.at("/apiVersion"), what + ": apiVersion");
        assertEquals(deployment.namespace(), patch.namespace(), what + ": namespace");
        assertFalse(deletes(patch), what + " changes the Deployment, does not delete it");
        // A strategic merge patch: only what it means to change, so that nothing else of the base is replaced.
        assertEquals(List.of("template"), fieldNames(patch.at("/spec")), what + ": spec");
        assertEquals(List.of("spec"), fieldNames(patch.at("/spec/template")), what + ": spec.template");
        assertEquals(Set.of("containers", "volumes"), new HashSet<>(fieldNames(patch.at("/spec/template/spec"))),
                what + ": pod spec");
        JsonNode containers = patch.at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), what + ": one container");
        JsonNode c = named(patch.node(), "/spec/template/spec/containers", "webhook", what);
        assertEquals(Set.of("name", "env", "volumeMounts"), new HashSet<>(fieldNames(c)),
                what + ": the container entry (merged by name into the base's webhook container)");

        Map<String, JsonNode> env = env(c, what);
        assertEquals(Set.of("PROBE_REWRITER_TLS_SOURCE"), env.keySet(), what + ": env");
        assertText("files", env.get("PROBE_REWRITER_TLS_SOURCE"), "/value", what + " env PROBE_REWRITER_TLS_SOURCE");

        // The operator's certificates reconciler is off: a patch of the operator's Deployment, its env only.
        Doc operatorPatch = overlayPatch("Deployment", OPERATOR);
        String ow = operatorPatch.toString();
        assertFalse(deletes(operatorPatch), ow + " changes the Deployment, does not delete it");
        assertEquals(operatorDeployment().namespace(), operatorPatch.namespace(), ow + ": namespace");
        JsonNode oc = named(operatorPatch.node(), "/spec/template/spec/containers", "operator", ow);
        assertEquals(Set.of("name", "env"), new HashSet<>(fieldNames(oc)), ow + ": the container entry");
        Map<String, JsonNode> operatorEnv = env(oc, ow);
        assertEquals(Set.of("PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED"), operatorEnv.keySet(), ow + ": env");
        assertText("false", operatorEnv.get("PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED"), "/value",
                ow + " env PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED (a string: env values are strings)");
        assertTrue(env(webhookContainer(), "base").containsKey("PROBE_REWRITER_TLS_SOURCE"),
                "the patch overrides an env entry of the base by name");

        Map<String, JsonNode> mounts = byName(c, "/volumeMounts", what + " volumeMounts");
        assertEquals(Set.of("tls"), mounts.keySet(), what + ": volumeMounts");
        JsonNode tlsMount = mounts.get("tls");
        assertText(TLS_MOUNT_PATH, tlsMount, "/mountPath", what + " tls mount (where cert-file and key-file point)");
        assertBool(true, tlsMount, "/readOnly", what + " tls mount");
        assertAbsent(tlsMount, "/subPath", what + " tls mount (a subPath mount never sees renewed certificates)");

        Map<String, JsonNode> volumes = byName(patch.at("/spec/template/spec"), "/volumes", what + " volumes");
        assertEquals(Set.of("tls"), volumes.keySet(), what + ": volumes");
        JsonNode tls = volumes.get("tls");
        assertText(TLS_SECRET, tls, "/secret/secretName", what + " volume tls");
        assertAbsent(tls, "/secret/items", what + " volume tls (tls.crt and tls.key keep their names)");
        assertInt(0440, tls, "/secret/defaultMode",
                what + " volume tls defaultMode (0440: the owner and fsGroup 185 read, others see nothing)");
        assertAbsent(tls, "/secret/optional", what + " volume tls (the pod waits for cert-manager's Secret)");
        Set<String> baseMounts = byName(webhookContainer(), "/volumeMounts", "base").values().stream()
                .map(m -> m.path("mountPath").asText()).collect(Collectors.toSet());
        assertFalse(baseMounts.contains(TLS_MOUNT_PATH), "the base mounts nothing where the patch mounts the Secret");
    }

    private static List<String> fieldNames(JsonNode node) {
        assertTrue(node.isObject(), "a mapping expected, got " + node);
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void deploymentSpreadsPodsAndUsesItsServiceAccount() {
        Doc deployment = deployment();
        JsonNode pod = deployment.at("/spec/template/spec");
        Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels", "pod template");
        assertText(WEBHOOK_ACCOUNT, pod, "/serviceAccountName", "Deployment");
        assertBool(true, pod, "/automountServiceAccountToken", "Deployment (the informers authenticate with the token)");
        assertAbsent(pod, "/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution",
                "Deployment (a required anti-affinity would leave a replica unscheduled on a one-node cluster)");

        JsonNode preferred = pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution");
        assertTrue(preferred.isArray() && preferred.size() >= 1, "Deployment: preferred podAntiAffinity");
        boolean byHostname = false;
        for (JsonNode term : preferred) {
            if (term.at("/podAffinityTerm/topologyKey").asText().equals("kubernetes.io/hostname")) {
                byHostname = true;
                assertTrue(term.path("weight").asInt() >= 1 && term.path("weight").asInt() <= 100, "weight 1..100");
                Map<String, String> selector = stringMap(term, "/podAffinityTerm/labelSelector/matchLabels",
                        "podAntiAffinity term");
                assertEquals(WEBHOOK_SELECTOR, selector, "podAntiAffinity selects the webhook pods");
            }
        }
        assertTrue(byHostname, "Deployment: podAntiAffinity on kubernetes.io/hostname");

        for (JsonNode spread : pod.path("topologySpreadConstraints")) {
            Map<String, String> selector = stringMap(spread, "/labelSelector/matchLabels", "topologySpreadConstraint");
            assertTrue(podLabels.entrySet().containsAll(selector.entrySet()),
                    "topologySpreadConstraint selects the webhook pods");
            assertEquals("ScheduleAnyway", spread.path("whenUnsatisfiable").asText(),
                    "topologySpreadConstraint must not block scheduling");
        }
    }

    /**
     * Pod admission in opted-in namespaces goes through the webhook's pods: they run at the built-in
     * system-cluster-critical priority, and a ResourceQuota lets that class be used in the namespace on clusters
     * that limit it to kube-system otherwise. The operator has no such need (the webhook serves while it is away).
     */
    @Test
    void theWebhookRunsAtClusterCriticalPriorityWhereTheQuotaAllowsIt() {
        String priority = "system-cluster-critical";
        assertText(priority, deployment().node(), "/spec/template/spec/priorityClassName", "the webhook Deployment");
        assertAbsent(operatorDeployment().node(), "/spec/template/spec/priorityClassName", "the operator Deployment");
        assertTrue(allResources.stream().noneMatch(d -> d.kind().equals("PriorityClass")),
                "a built-in class: the install defines none");
        Doc quota = one(baseResources, "ResourceQuota", "probe-rewriter-critical-pods");
        String what = quota.toString();
        JsonNode expression = quota.at("/spec/scopeSelector/matchExpressions/0");
        assertText("PriorityClass", expression, "/scopeName", what);
        assertText("In", expression, "/operator", what);
        assertEquals(List.of(priority), texts(expression, "/values", what), what + ": that class only");
        int pods = Integer.parseInt(quota.at("/spec/hard/pods").asText());
        int replicas = deployment().at("/spec/replicas").asInt();
        int surge = deployment().at("/spec/strategy/rollingUpdate/maxSurge").asInt();
        assertTrue(pods >= replicas + surge, what + ": room for the replicas and a rollout's surge, not " + pods);
    }

    /** The operator: `operate`, one replica, no admission port, its own account; everything it writes is its own. */
    @Test
    void operatorDeploymentRunsOperateWithoutAnAdmissionPort() {
        Doc deployment = operatorDeployment();
        String what = deployment.toString();
        assertText("apps/v1", deployment.node(), "/apiVersion", what);
        assertInt(1, deployment.node(), "/spec/replicas", what);
        assertEquals("operator", deployment.label("app.kubernetes.io/component"), what + ": component label");
        assertEquals(OPERATOR_SELECTOR, stringMap(deployment.node(), "/spec/selector/matchLabels", what),
                what + ": selector is name + component");
        Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels", what);
        assertTrue(podLabels.entrySet().containsAll(OPERATOR_SELECTOR.entrySet()), what + ": pods match the selector");
        assertFalse(stringMap(service().node(), "/spec/selector", "Service").entrySet().stream()
                        .allMatch(label -> label.getValue().equals(podLabels.get(label.getKey()))),
                "the webhook's Service does not send to the operator's pods");
        assertEquals(1, deployment.at("/spec/template/spec/containers").size(), what + ": one container");

        JsonNode c = operatorContainer();
        String cw = what + " container operator";
        assertEquals(webhookContainer().path("image"), c.path("image"), cw + ": the webhook's image");
        assertEquals(List.of("operate"), texts(c, "/args", cw), cw + ": args");
        assertAbsent(c, "/command", cw + " (the image's entrypoint runs the jar)");
        Map<String, JsonNode> ports = byName(c, "/ports", cw);
        assertEquals(Set.of("management"), ports.keySet(), cw + ": the management port only, no https");
        assertInt(9000, ports.get("management"), "/containerPort", cw + " port management");
        Map<String, JsonNode> env = env(c, cw);
        assertEquals(Set.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_NAMESPACE"), env.keySet(), cw + ": env names");
        assertText("metadata.namespace", env.get("PROBE_REWRITER_NAMESPACE"), "/valueFrom/fieldRef/fieldPath",
                cw + " env PROBE_REWRITER_NAMESPACE (its Secrets and Lease live in the pod's namespace)");
        assertBool(true, deployment.at("/spec/template/spec"), "/automountServiceAccountToken", what);
        assertTrue(baseResources.stream().noneMatch(d -> d.kind().equals("PodDisruptionBudget")
                        && OPERATOR_SELECTOR.equals(stringMap(d.node(), "/spec/selector/matchLabels", d.toString()))),
                "no PodDisruptionBudget for one replica: it would block every drain");
    }

    // ------------------------------------------------------------------------------------------------ Service, PDB

    @Test
    void serviceExposesTheWebhookAndManagementPorts() {
        Doc service = service();
        String what = service.toString();
        assertEquals(WEBHOOK_SELECTOR, stringMap(service.node(), "/spec/selector", what), what + ": selector");
        String type = service.at("/spec/type").asText("ClusterIP");
        assertEquals("ClusterIP", type, what + ": type");
        Map<String, JsonNode> ports = byName(service.node(), "/spec/ports", what);
        assertEquals(Set.of("https", "management"), ports.keySet(), what + ": port names");
        assertInt(443, ports.get("https"), "/port", what + " port https");
        assertText("https", ports.get("https"), "/targetPort", what + " port https");
        assertInt(9000, ports.get("management"), "/port", what + " port management");
        assertText("management", ports.get("management"), "/targetPort", what + " port management");
        ports.values().forEach(p -> assertEquals("TCP", p.path("protocol").asText("TCP"), what + " protocol"));
    }

    @Test
    void podDisruptionBudgetKeepsOneWebhookPod() {
        Doc pdb = one(baseResources, "PodDisruptionBudget", APP);
        String what = pdb.toString();
        assertText("policy/v1", pdb.node(), "/apiVersion", what);
        assertInt(1, pdb.node(), "/spec/minAvailable", what);
        assertAbsent(pdb.node(), "/spec/maxUnavailable", what);
        assertEquals(WEBHOOK_SELECTOR, stringMap(pdb.node(), "/spec/selector/matchLabels", what), what + ": selector");
        assertTrue(pdb.at("/spec/minAvailable").intValue() < deployment().at("/spec/replicas").intValue(),
                what + ": minAvailable below replicas, or no node could ever be drained");
        // Replicas that run but are not ready (no certificate yet, an expired one, caches not synced) serve nothing:
        // under the default IfHealthyBudget none of them could be evicted, and a drain meant to repair the cluster
        // would loop on "Cannot evict pod as it would violate the pod's disruption budget".
        assertText("AlwaysAllow", pdb.node(), "/spec/unhealthyPodEvictionPolicy", what);
    }

    // ------------------------------------------------------------------------------------------------ webhook

    @Test
    void webhookConfigurationSelectsOptedInPodCreations() {
        Doc configuration = one(baseResources, "MutatingWebhookConfiguration", APP);
        String what = configuration.toString();
        assertText("admissionregistration.k8s.io/v1", configuration.node(), "/apiVersion", what);
        JsonNode w = webhook(configuration);
        assertText("probes.probe-rewriter.io", w, "/name", what);

        assertText(NAMESPACE, w, "/clientConfig/service/namespace", what);
        assertText(APP, w, "/clientConfig/service/name", what);
        assertText("/mutate", w, "/clientConfig/service/path", what);
        assertInt(443, w, "/clientConfig/service/port", what);
        assertAbsent(w, "/clientConfig/url", what);
        assertAbsent(w, "/clientConfig/caBundle", what + " (injected, never committed)");
        assertNull(configuration.annotation(INJECT_CA_FROM), what + ": the base does not assume cert-manager");

        JsonNode rules = w.path("rules");
        assertEquals(1, rules.size(), what + ": one rule");
        JsonNode rule = rules.get(0);
        assertEquals(List.of(""), texts(rule, "/apiGroups", what), what + " rule apiGroups");
        assertEquals(List.of("v1"), texts(rule, "/apiVersions", what), what + " rule apiVersions");
        assertEquals(List.of("pods"), texts(rule, "/resources", what), what + " rule resources (no subresources)");
        assertEquals(List.of("CREATE"), texts(rule, "/operations", what), what + " rule operations");
        assertText("Namespaced", rule, "/scope", what + " rule");

        assertAbsent(w, "/namespaceSelector/matchLabels", what + " (matchExpressions only)");
        JsonNode expressions = w.at("/namespaceSelector/matchExpressions");
        assertEquals(2, expressions.size(), what + ": two namespaceSelector expressions");
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        expressions.forEach(e -> byKey.put(e.path("key").asText(), e));
        JsonNode enabled = byKey.get("probe-rewriter.io/enabled");
        assertNotNull(enabled, what + ": namespaceSelector on probe-rewriter.io/enabled");
        assertText("In", enabled, "/operator", what + " probe-rewriter.io/enabled");
        assertEquals(List.of("true"), texts(enabled, "/values", what), what + " probe-rewriter.io/enabled values");
        JsonNode name = byKey.get("kubernetes.io/metadata.name");
        assertNotNull(name, what + ": namespaceSelector on kubernetes.io/metadata.name");
        assertText("NotIn", name, "/operator", what + " kubernetes.io/metadata.name");
        assertEquals(Set.of("kube-system", NAMESPACE), new HashSet<>(texts(name, "/values", what)),
                what + ": excluded namespaces");

        assertEquals(List.of("v1"), texts(w, "/admissionReviewVersions", what), what + " admissionReviewVersions");
        assertText("None", w, "/sideEffects", what);
        assertText("Ignore", w, "/failurePolicy", what);
        assertInt(5, w, "/timeoutSeconds", what);
        assertText("IfNeeded", w, "/reinvocationPolicy", what);
        assertText("Equivalent", w, "/matchPolicy", what);
    }

    // ------------------------------------------------------------------------------------------------ cert-manager

    @Test
    void certManagerOverlayChainsASelfSignedCaToTheServingCertificate() {
        Doc serving = certificate(SERVING_CERT);
        String what = serving.toString();
        assertText("cert-manager.io/v1", serving.node(), "/apiVersion", what);
        assertText(TLS_SECRET, serving.node(), "/spec/secretName", what);
        assertFalse(serving.at("/spec/isCA").asBoolean(false), what + " is a leaf certificate");
        assertEquals(List.of("probe-rewriter.probe-rewriter-system.svc",
                        "probe-rewriter.probe-rewriter-system.svc.cluster.local"),
                texts(serving.node(), "/spec/dnsNames", what), what + ": dnsNames");
        assertSensibleKey(serving);
        long duration = goDurationSeconds(serving.at("/spec/duration").asText(null), what + " duration");
        long renewBefore = goDurationSeconds(serving.at("/spec/renewBefore").asText(null), what + " renewBefore");
        assertTrue(duration >= 24 * 3600 && duration <= 366 * 24 * 3600, what + ": duration between a day and a year");
        assertTrue(renewBefore >= 3600 && renewBefore < duration, what + ": renewBefore below duration");
        JsonNode usages = serving.at("/spec/usages");
        if (!usages.isMissingNode()) {
            assertTrue(texts(serving.node(), "/spec/usages", what).contains("server auth"), what + ": server auth");
        }

        Doc caIssuer = issuerOf(serving);
        String caSecret = caIssuer.at("/spec/ca/secretName").asText(null);
        assertNotNull(caSecret, caIssuer + " should be a CA Issuer (spec.ca.secretName)");
        List<Doc> caCerts = KubeYaml.ofKind(overlayResources, "Certificate").stream()
                .filter(c -> caSecret.equals(c.at("/spec/secretName").asText(null))).toList();
        assertEquals(1, caCerts.size(), "one Certificate should write the CA Issuer's Secret " + caSecret);
        Doc ca = caCerts.get(0);
        assertBool(true, ca.node(), "/spec/isCA", ca.toString());
        assertSensibleKey(ca);
        long caDuration = goDurationSeconds(ca.at("/spec/duration").asText(null), ca + " duration");
        long caRenewBefore = goDurationSeconds(ca.at("/spec/renewBefore").asText(null), ca + " renewBefore");
        assertTrue(caRenewBefore < caDuration, ca + ": renewBefore below duration");
        assertTrue(caDuration > duration, ca + " should outlive the serving certificate it signs");
        // The CA injector copies ca.crt, the CA alone, into the caBundle when the serving certificate is issued, while
        // the replicas serve the previous certificate until the kubelet refreshes their files (a minute or two). A CA
        // renewed with the same key verifies that certificate too; one with a new key would not.
        assertText("Never", ca.node(), "/spec/privateKey/rotationPolicy", ca + ": the CA keeps its key");
        assertText("Always", serving.node(), "/spec/privateKey/rotationPolicy", what + ": a new key each renewal");

        Doc selfSigned = issuerOf(ca);
        assertTrue(selfSigned.at("/spec/selfSigned").isObject(), selfSigned + " should be selfSigned: {}");
        assertFalse(selfSigned.name().equals(caIssuer.name()), "the self-signed and CA Issuers are distinct");
        assertEquals(Set.of(selfSigned.name(), caIssuer.name()),
                KubeYaml.ofKind(overlayResources, "Issuer").stream().map(Doc::name).collect(Collectors.toSet()),
                "the overlay's Issuers are the self-signed one and the CA one");
        assertTrue(KubeYaml.ofKind(overlayResources, "ClusterIssuer").isEmpty(),
                "no ClusterIssuer: the CA must not sign for other namespaces");
    }

    private static void assertSensibleKey(Doc certificate) {
        String algorithm = certificate.at("/spec/privateKey/algorithm").asText("RSA");
        int size = certificate.at("/spec/privateKey/size").asInt(algorithm.equals("ECDSA") ? 256 : 2048);
        assertTrue(algorithm.equals("ECDSA") && size == 256 || algorithm.equals("RSA") && size == 2048,
                certificate + ": private key ECDSA P-256 or RSA 2048, got " + algorithm + " " + size);
        String encoding = certificate.at("/spec/privateKey/encoding").asText("PKCS1");
        if (certificate.at("/spec/secretName").asText().equals(TLS_SECRET)) {
            assertEquals("PKCS8", encoding, certificate + ": the webhook's Java PEM loader wants PKCS#8 keys");
        }
    }

    @Test
    void overlayPatchInjectsTheServingCaIntoTheWebhookConfiguration() {
        assertEquals(9, overlayPatches.size(), "patch documents in the cert-manager overlay: CA injection,"
                + " two Deployments, six RBAC deletions");
        Doc configuration = one(baseResources, "MutatingWebhookConfiguration", APP);
        Doc patch = overlayPatch(configuration.kind(), configuration.name());
        assertFalse(deletes(patch), patch + " annotates the webhook configuration, does not delete it");
        assertEquals(configuration.at("/apiVersion"), patch.at("/apiVersion"), patch + ": apiVersion");
        Doc serving = certificate(SERVING_CERT);
        assertEquals(serving.namespace() + "/" + serving.name(), patch.annotation(INJECT_CA_FROM),
                patch + ": " + INJECT_CA_FROM + " names the serving Certificate");
        assertAbsent(patch.node(), "/webhooks", patch + " (only the annotation; the injector writes caBundle)");
    }

    // ------------------------------------------------------------------------------------------------ agreement

    @Test
    void objectsAgreeOnNamesSelectorsAndPorts() {
        Doc deployment = deployment();
        Doc service = service();
        Doc pdb = one(baseResources, "PodDisruptionBudget", APP);
        JsonNode w = webhook(one(baseResources, "MutatingWebhookConfiguration", APP));

        Map<String, String> podLabels = stringMap(deployment.node(), "/spec/template/metadata/labels", "pod template");
        Map<String, String> deploymentSelector = stringMap(deployment.node(), "/spec/selector/matchLabels", "Deployment");
        assertEquals(deploymentSelector, stringMap(service.node(), "/spec/selector", "Service"),
                "the Service selects what the Deployment selects");
        assertEquals(deploymentSelector, stringMap(pdb.node(), "/spec/selector/matchLabels", "PodDisruptionBudget"),
                "the PodDisruptionBudget selects what the Deployment selects");
        assertTrue(podLabels.entrySet().containsAll(deploymentSelector.entrySet()), "the pods carry the selector");
        assertEquals(deployment.namespace(), service.namespace(), "Deployment and Service namespaces");
        assertEquals(deployment.namespace(), pdb.namespace(), "Deployment and PodDisruptionBudget namespaces");

        Map<String, JsonNode> containerPorts = byName(webhookContainer(), "/ports", "container webhook");
        for (JsonNode port : service.at("/spec/ports")) {
            JsonNode target = port.path("targetPort");
            assertTrue(target.isTextual() && containerPorts.containsKey(target.textValue()),
                    "Service port " + port.path("name").asText() + " targets " + target
                            + ", which is not a container port name " + containerPorts.keySet());
        }
        JsonNode https = named(service.node(), "/spec/ports", "https", "Service");
        assertEquals(8443, containerPorts.get(https.path("targetPort").asText()).path("containerPort").asInt(),
                "Service https reaches container port 8443");

        assertEquals(service.name(), w.at("/clientConfig/service/name").asText(), "webhook clientConfig service name");
        assertEquals(service.namespace(), w.at("/clientConfig/service/namespace").asText(),
                "webhook clientConfig service namespace");
        assertEquals(https.path("port").asInt(), w.at("/clientConfig/service/port").asInt(),
                "webhook clientConfig port is the Service's https port");

        Doc serving = certificate(SERVING_CERT);
        String host = service.name() + "." + service.namespace() + ".svc";
        assertEquals(Set.of(host, host + ".cluster.local"), new HashSet<>(texts(serving.node(), "/spec/dnsNames", "")),
                "the serving Certificate names the Service the API server calls");
        assertEquals(service.namespace(), serving.namespace(), "the Certificate lives beside the Service");
        Doc deploymentPatch = overlayPatch("Deployment", deployment.name());
        String mountedSecret = byName(deploymentPatch.at("/spec/template/spec"), "/volumes", "volumes").values()
                .stream().map(v -> v.at("/secret/secretName").asText(null)).filter(s -> s != null).findFirst()
                .orElse(null);
        assertEquals(serving.at("/spec/secretName").asText(), mountedSecret,
                "the cert-manager overlay mounts the Secret the serving Certificate writes");
        assertEquals(deployment.namespace(), deploymentPatch.namespace(), "the patch names the Deployment's namespace");
        Doc patch = overlayPatch("MutatingWebhookConfiguration", APP);
        assertEquals(serving.namespace() + "/" + serving.name(), patch.annotation(INJECT_CA_FROM),
                "inject-ca-from names the serving Certificate");
    }
}
