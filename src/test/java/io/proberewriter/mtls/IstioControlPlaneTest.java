package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.MESHED;
import static io.proberewriter.mtls.MeshFixtures.check;
import static io.proberewriter.mtls.MeshFixtures.httpbin;
import static io.proberewriter.mtls.MeshFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What Istio's control plane says, and the era the mesh is from: where Istio's own probe rewrite default comes from
 * (the revision's injector values, a setting, the era, Istio's default), Istio 0.8's global switch in the mesh
 * config, and the declared-ports-only capture of Istio 1.2 and older.
 */
class IstioControlPlaneTest {

    private static final String MESH_POLICY = """
            apiVersion: authentication.istio.io/v1alpha1
            kind: MeshPolicy
            metadata: {name: default}
            spec: {peers: [{mtls: {}}]}
            """;
    private static final String MESH_STRICT = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            """;

    private static ConfigMap configMap(String name, String key, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("istio-system").endMetadata()
                .withData(Map.of(key, value)).build();
    }

    private static ConfigMap injector(String name, boolean rewrite) {
        return configMap(name, "values", "{\"sidecarInjectorWebhook\":{\"rewriteAppHTTPProbe\":" + rewrite + "}}");
    }

    @Nested
    class ProbeRewriteDefault {

        @Test
        void theInjectorsValuesDecideFirst() {
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(injector("istio-sidecar-injector", false)))
                    .rewriteAppProbesSetting(Optional.of(true), "--istio-rewrites-probes").build();
            MeshPolicies.ProbeRewriteDefault answer = mesh.probeRewrite("");
            assertFalse(answer.rewrites());
            assertEquals("sidecarInjectorWebhook.rewriteAppHTTPProbe: false in ConfigMap"
                    + " istio-system/istio-sidecar-injector", answer.source());
        }

        @Test
        void eachRevisionReadsItsOwnInjector() {
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(injector("istio-sidecar-injector", true),
                    injector("istio-sidecar-injector-canary", false))).build();
            assertTrue(mesh.probeRewrite("").rewrites());
            assertFalse(mesh.probeRewrite("canary").rewrites());
            MeshPolicies.ProbeRewriteDefault tag = mesh.probeRewrite("prod");
            assertTrue(tag.rewrites(), "an unknown revision (a tag?) falls back to Istio's default");
            assertEquals("Istio's default since 1.6; no ConfigMap istio-system/istio-sidecar-injector-prod was read",
                    tag.source());
        }

        @Test
        void theSettingBeatsTheEraAndTheEraBeatsIstiosDefault() {
            MeshPolicies legacy = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY))).build();
            assertFalse(legacy.probeRewrite("").rewrites());
            assertEquals("a mesh from before Istio rewrote probes: v1alpha1 MeshPolicy default and no"
                    + " PeerAuthentication (Istio 1.4 or older); no ConfigMap istio-system/istio-sidecar-injector was"
                    + " read", legacy.probeRewrite("").source());

            MeshPolicies told = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY)))
                    .rewriteAppProbesSetting(Optional.of(true), "probe-rewriter.mtls.istio.rewrites-probes").build();
            assertTrue(told.probeRewrite("").rewrites());
            assertTrue(told.probeRewrite("").source().startsWith("probe-rewriter.mtls.istio.rewrites-probes=true"));

            MeshPolicies current = MeshPolicies.builder().policies(List.of(resource(MESH_STRICT))).build();
            assertTrue(current.probeRewrite("").rewrites());
            assertTrue(current.legacyEra().isEmpty());
        }

        @Test
        void aPeerAuthenticationBesideV1alpha1PoliciesIsACurrentMesh() {
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY), resource(MESH_STRICT)))
                    .build();
            assertTrue(mesh.legacyEra().isEmpty());
        }

        @Test
        void aClusterServingOnlyV1alpha1IsLegacyWithoutAnyObject() {
            MeshPolicies mesh = MeshPolicies.builder().legacyApisOnly(true).build();
            assertTrue(mesh.legacyEra().orElseThrow().contains("serves the v1alpha1 authentication policies and not"
                    + " PeerAuthentication"));
            assertFalse(mesh.probeRewrite("").rewrites());
        }

        @Test
        void unreadableConfigMapsAreNamedWhereTheyWouldHaveAnswered() {
            MeshPolicies mesh = MeshPolicies.builder()
                    .configMapsUnreadable(Optional.of("cannot list ConfigMaps in istio-system: forbidden")).build();
            assertEquals("Istio's default since 1.6; cannot list ConfigMaps in istio-system: forbidden",
                    mesh.probeRewrite("").source());
        }

        @Test
        void valuesThatDoNotSayOrCannotBeReadAreNoAnswer() {
            MeshPolicies silent = MeshPolicies.builder().configMaps(List.of(configMap("istio-sidecar-injector",
                    "values", "{\"global\":{}}"))).rewriteAppProbesSetting(Optional.of(false), "x").build();
            assertEquals("x=false; ConfigMap istio-system/istio-sidecar-injector does not set"
                    + " sidecarInjectorWebhook.rewriteAppHTTPProbe", silent.probeRewrite("").source());
            assertTrue(silent.ignored().isEmpty(), silent.ignored().toString());

            MeshPolicies broken = MeshPolicies.builder().configMaps(List.of(configMap("istio-sidecar-injector",
                    "values", "{\"sidecarInjectorWebhook\": "))).build();
            assertTrue(broken.probeRewrite("").rewrites());
            assertEquals(1, broken.ignored().size(), broken.ignored().toString());
            assertTrue(broken.ignored().get(0).startsWith("ConfigMap istio-system/istio-sidecar-injector: data.values"
                    + " is not readable JSON or YAML"), broken.ignored().get(0));

            MeshPolicies wrongType = MeshPolicies.builder().configMaps(List.of(configMap("istio-sidecar-injector",
                    "values", "{\"sidecarInjectorWebhook\":{\"rewriteAppHTTPProbe\":\"yes\"}}"))).build();
            assertEquals(List.of("ConfigMap istio-system/istio-sidecar-injector:"
                    + " values.sidecarInjectorWebhook.rewriteAppHTTPProbe is not a boolean (\"yes\")"), wrongType.ignored());
        }

        @Test
        void configMapsOutsideIstiosNamespaceAreNotRead() {
            ConfigMap elsewhere = new ConfigMapBuilder(injector("istio-sidecar-injector", false)).editMetadata()
                    .withNamespace("default").endMetadata().build();
            assertTrue(MeshPolicies.builder().configMaps(List.of(elsewhere)).build().probeRewrite("").rewrites());
            assertFalse(MeshPolicies.builder().istioNamespace("mesh").configMaps(List.of(new ConfigMapBuilder(
                    injector("istio-sidecar-injector", false)).editMetadata().withNamespace("mesh").endMetadata()
                    .build())).build().probeRewrite("").rewrites());
        }

        @Test
        void theOracleFollowsThePodsRevision() {
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_STRICT)))
                    .configMaps(List.of(injector("istio-sidecar-injector", true),
                            injector("istio-sidecar-injector-canary", false))).build();
            IstioMtlsOracle oracle = new IstioMtlsOracle(mesh);
            Pod pod = httpbin().build();
            assertFalse(check(oracle, pod, MESHED, 8000).rejectsPlaintext());
            NamespaceContext canary = new NamespaceContext("default", Map.of("istio.io/rev", "canary"), Map.of());
            MtlsVerdict verdict = check(oracle, pod, canary, 8000);
            assertTrue(verdict.rejectsPlaintext());
            assertTrue(verdict.rule().endsWith("; Istio does not rewrite this pod's HTTP probes (the mesh default:"
                    + " sidecarInjectorWebhook.rewriteAppHTTPProbe: false in ConfigMap"
                    + " istio-system/istio-sidecar-injector-canary)"), verdict.rule());
        }
    }

    @Nested
    class GlobalSwitch {

        @Test
        void theMeshConfigsAuthPolicyIsIstio08sSwitch() {
            MeshPolicies on = MeshPolicies.builder().configMaps(List.of(configMap("istio", "mesh",
                    "authPolicy: MUTUAL_TLS\ndefaultConfig:\n  controlPlaneAuthPolicy: NONE\n"))).build();
            assertEquals(Optional.of("authPolicy: MUTUAL_TLS in ConfigMap istio-system/istio"), on.legacyGlobalMtls());
            assertTrue(on.legacyEra().orElseThrow().startsWith("Istio 0.8's global mTLS switch is on"));
            assertFalse(on.probeRewrite("").rewrites());
            MtlsVerdict verdict = check(new IstioMtlsOracle(on), httpbin().build(), MESHED, 8000);
            assertTrue(verdict.rule().startsWith("port 8000 under mTLS by the global switch (authPolicy: MUTUAL_TLS in"
                    + " ConfigMap istio-system/istio, no v1alpha1 policy applies)"), verdict.rule());
        }

        @Test
        void authPolicyNoneOverridesTheSetting() {
            MeshPolicies off = MeshPolicies.builder().legacyGlobalMtls(true)
                    .configMaps(List.of(configMap("istio", "mesh", "authPolicy: NONE\n"))).build();
            assertEquals(Optional.empty(), off.legacyGlobalMtls());
        }

        @Test
        void onlyTheTopLevelAuthPolicyCounts() {
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(configMap("istio", "mesh",
                    "defaultConfig:\n  controlPlaneAuthPolicy: MUTUAL_TLS\n"))).build();
            assertEquals(Optional.empty(), mesh.legacyGlobalMtls());
            assertEquals(Optional.empty(), mesh.declaredPortsOnly());
        }

        @Test
        void theMeshConfigsRootNamespaceBeatsTheSetting() {
            // Istio's installers write the namespace they install into; mesh-wide policies live there.
            MeshPolicies moved = MeshPolicies.builder().rootNamespace("istio-system")
                    .configMaps(List.of(configMap("istio", "mesh", "rootNamespace: istio-config\n"))).build();
            assertEquals("istio-config", moved.rootNamespace());
            assertEquals("mesh-root", MeshPolicies.builder().rootNamespace("mesh-root")
                    .configMaps(List.of(configMap("istio", "mesh", "trustDomain: cluster.local\n"))).build()
                    .rootNamespace());
            MeshPolicies odd = MeshPolicies.builder()
                    .configMaps(List.of(configMap("istio", "mesh", "rootNamespace: [a]\n"))).build();
            assertEquals(MeshPolicies.DEFAULT_ROOT_NAMESPACE, odd.rootNamespace());
            assertEquals(List.of("ConfigMap istio-system/istio: mesh.rootNamespace is not a namespace name ([\"a\"])"),
                    odd.ignored());
        }

        @Test
        void anUnknownAuthPolicyIsIgnoredAndSaid() {
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(configMap("istio", "mesh",
                    "authPolicy: mutual\n"))).build();
            assertEquals(Optional.empty(), mesh.legacyGlobalMtls());
            assertEquals(List.of("ConfigMap istio-system/istio: mesh.authPolicy is neither MUTUAL_TLS nor NONE"
                    + " (\"mutual\")"), mesh.ignored());
        }
    }

    @Nested
    class DeclaredPortsOnly {

        /** The seeds' liveness-http: traffic on the declared 8001, the probe on the undeclared 8002. */
        private final Pod livenessHttp = httpbin().editSpec().editFirstContainer().withPorts()
                .addNewPort().withContainerPort(8001).endPort().endContainer().endSpec().build();

        @Test
        void istio12AndOlderCaptureOnlyDeclaredPorts() {
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(configMap("istio", "mesh",
                    "authPolicy: MUTUAL_TLS\n"))).build();
            IstioMtlsOracle oracle = new IstioMtlsOracle(mesh);
            MtlsVerdict undeclared = check(oracle, livenessHttp, MESHED, 8002);
            assertFalse(undeclared.rejectsPlaintext());
            assertTrue(undeclared.rule().startsWith("port 8002 not intercepted: it is no declared containerPort"),
                    undeclared.rule());
            assertTrue(check(oracle, livenessHttp, MESHED, 8001).rejectsPlaintext());
        }

        @Test
        void anExcludedDeclaredPortIsStillCapturedThere() {
            // The declared ports are the list Istio captures there, and it reads exclusions only under "*".
            Pod excluded = new io.fabric8.kubernetes.api.model.PodBuilder(livenessHttp).editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/excludeInboundPorts", "8001").endMetadata().build();
            MeshPolicies mesh = MeshPolicies.builder().configMaps(List.of(configMap("istio", "mesh",
                    "authPolicy: MUTUAL_TLS\n"))).build();
            assertTrue(check(new IstioMtlsOracle(mesh), excluded, MESHED, 8001).rejectsPlaintext());
        }

        @Test
        void theInjectorsOldTemplateSaysSoToo() {
            ConfigMap old = new ConfigMapBuilder().withNewMetadata().withName("istio-sidecar-injector")
                    .withNamespace("istio-system").endMetadata()
                    .withData(Map.of("config", "policy: enabled\ntemplate: |-\n  initContainers:\n  - args:\n    - \"-b\"\n"
                            + "    - \"{{ annotation .ObjectMeta `traffic.sidecar.istio.io/includeInboundPorts`"
                            + " (includeInboundPorts .Spec.Containers) }}\"\n")).build();
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY)))
                    .configMaps(List.of(old)).build();
            assertTrue(mesh.declaredPortsOnly().isPresent());
            assertFalse(check(new IstioMtlsOracle(mesh), livenessHttp, MESHED, 8002).rejectsPlaintext());
        }

        @Test
        void currentIstioCapturesEveryPort() {
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY))).build();
            assertEquals(Optional.empty(), mesh.declaredPortsOnly(), "v1alpha1 alone does not tell 1.2 from 1.4");
            assertTrue(check(new IstioMtlsOracle(mesh), livenessHttp, MESHED, 8002).rejectsPlaintext());
        }

        @Test
        void anIncludeAnnotationStillDecides() {
            MeshPolicies mesh = MeshPolicies.builder().legacyGlobalMtls(true).build();
            Pod included = new io.fabric8.kubernetes.api.model.PodBuilder(livenessHttp).editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/includeInboundPorts", "8001,8002").endMetadata().build();
            assertTrue(check(new IstioMtlsOracle(mesh), included, MESHED, 8002).rejectsPlaintext());
        }
    }
}
