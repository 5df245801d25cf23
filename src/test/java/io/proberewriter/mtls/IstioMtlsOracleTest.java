package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.MESHED;
import static io.proberewriter.mtls.MeshFixtures.UNMESHED;
import static io.proberewriter.mtls.MeshFixtures.check;
import static io.proberewriter.mtls.MeshFixtures.httpbin;
import static io.proberewriter.mtls.MeshFixtures.mesh;
import static io.proberewriter.mtls.MeshFixtures.peerAuthentication;
import static io.proberewriter.mtls.MeshFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.proberewriter.engine.ContainerRef;
import io.proberewriter.engine.ContainerSection;
import io.proberewriter.engine.HookKind;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IstioMtlsOracleTest {

    /** Istio 1.5's mesh-wide STRICT mTLS (v1alpha1). */
    private static final String MESH_POLICY_STRICT = """
            apiVersion: authentication.istio.io/v1alpha1
            kind: MeshPolicy
            metadata: {name: default}
            spec:
              peers:
              - mtls: {}
            """;

    private static final Pod HTTPBIN = httpbin().build();

    /** Istio's own probe rewrite off, so that the policies alone decide. */
    private static IstioMtlsOracle policiesOnly(GenericKubernetesResource... policies) {
        return new IstioMtlsOracle(mesh(policies).rewriteAppProbesByDefault(false).build());
    }

    /** What a refused HTTP probe's rule adds where Istio's own rewrite is off by the setting the tests use. */
    private static final String NOT_REWRITTEN = "; Istio does not rewrite this pod's HTTP probes (the mesh default:"
            + " rewrites-probes=false; no ConfigMap istio-system/istio-sidecar-injector was read)";

    private static void assertVerdict(boolean rejects, String rule, MtlsVerdict verdict) {
        assertEquals(new MtlsVerdict(rejects, rule), verdict);
    }

    private static final String MESH_STRICT = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec: {mtls: {mode: STRICT}}
            """;

    /** The two failing configurations of probe-incompatible-with-mtls.md and its suggested resolution. */
    @Nested
    class Seeds {
        // Istio 0.8 had no probe rewrite of its own.
        private IstioMtlsOracle istio08(boolean globalMtls, GenericKubernetesResource... policies) {
            return new IstioMtlsOracle(mesh(policies).legacyGlobalMtls(globalMtls).rewriteAppProbesByDefault(false)
                    .build());
        }

        private static final String SAMPLE_2_POLICY = """
                apiVersion: authentication.istio.io/v1alpha1
                kind: Policy
                metadata:
                  name: httpbin
                  namespace: default
                spec:
                    targets:
                    - name: httpbin
                      ports:
                      - number: 8000
                    peers:
                    - mtls:
                """;

        private static final String SUGGESTED_RESOLUTION = """
                apiVersion: "authentication.istio.io/v1alpha1"
                kind: "Policy"
                metadata:
                  name: "httpbin"
                  namespace: "default"
                spec:
                    targets:
                    - name: httpbin
                      ports:
                      - number: 8000
                    peers:
                """;

        @Test
        void sample1GlobalMtlsWithoutPolicyRejects() {
            assertVerdict(true, "port 8000 under mTLS by the global switch (global.mtls.enabled: true,"
                    + " no v1alpha1 policy applies)" + NOT_REWRITTEN, check(istio08(true), HTTPBIN, MESHED, 8000));
        }

        @Test
        void globalSwitchOffWithoutPolicyAccepts() {
            assertVerdict(false, "port 8000 PERMISSIVE (no PeerAuthentication applies; Istio's default)",
                    check(istio08(false), HTTPBIN, MESHED, 8000));
        }

        @Test
        void sample2ServicePolicyOnPort8000Rejects() {
            assertVerdict(true, "port 8000 under mTLS by Policy default/httpbin (v1alpha1 peers: mtls,"
                            + " targets service httpbin port 8000)" + NOT_REWRITTEN,
                    check(istio08(false, resource(SAMPLE_2_POLICY)), HTTPBIN, MESHED, 8000));
        }

        @Test
        void sample2PolicyDoesNotReachAnotherPort() {
            assertFalse(check(istio08(false, resource(SAMPLE_2_POLICY)), HTTPBIN, MESHED, 8001).rejectsPlaintext());
        }

        @ParameterizedTest(name = "global mTLS {0}")
        @ValueSource(booleans = {true, false})
        void suggestedResolutionAcceptsUnderEitherSample(boolean globalMtls) {
            assertVerdict(false, "port 8000 without mTLS by Policy default/httpbin (v1alpha1 without peers,"
                            + " targets service httpbin port 8000)",
                    check(istio08(globalMtls, resource(SUGGESTED_RESOLUTION)), HTTPBIN, MESHED, 8000));
        }

        @Test
        void healthCheckingTaskNamespacePolicyRejects() {
            GenericKubernetesResource namespaceDefault = resource("""
                    apiVersion: "authentication.istio.io/v1alpha1"
                    kind: "Policy"
                    metadata:
                      name: "default"
                      namespace: "default"
                    spec:
                      peers:
                      - mtls: {}
                    """);
            assertVerdict(true, "port 8001 under mTLS by Policy default/default (v1alpha1 peers: mtls, namespace-wide)" + NOT_REWRITTEN,
                    check(istio08(false, namespaceDefault), HTTPBIN, MESHED, 8001));
        }
    }

    @Nested
    class PeerAuthenticationTables {

        @Test
        void meshStrictWithWorkloadPortLevelDisableOnTheProbePort() {
            IstioMtlsOracle oracle = policiesOnly(resource(MESH_STRICT), peerAuthentication("default", "httpbin",
                    "2024-02-01T00:00:00Z", """
                      selector: {matchLabels: {app: httpbin}}
                      portLevelMtls:
                        8000: {mode: DISABLE}
                    """));
            assertVerdict(false, "port 8000 DISABLE by port-level mTLS of PeerAuthentication default/httpbin",
                    check(oracle, HTTPBIN, MESHED, 8000));
            assertVerdict(true, "port 8001 STRICT by PeerAuthentication istio-system/default (mesh);"
                    + " UNSET in PeerAuthentication default/httpbin" + NOT_REWRITTEN, check(oracle, HTTPBIN, MESHED, 8001));
        }

        @Test
        void namespacePermissiveUnderMeshStrictAccepts() {
            IstioMtlsOracle oracle = policiesOnly(resource(MESH_STRICT),
                    peerAuthentication("default", "default", "2024-02-01T00:00:00Z", "  mtls: {mode: PERMISSIVE}"));
            assertVerdict(false, "port 8000 PERMISSIVE by PeerAuthentication default/default",
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void namespaceStrictRejects() {
            IstioMtlsOracle oracle = policiesOnly(
                    peerAuthentication("default", "default", "2024-02-01T00:00:00Z", "  mtls: {mode: STRICT}"));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/default" + NOT_REWRITTEN,
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void workloadUnsetInheritsNamespaceStrict() {
            IstioMtlsOracle oracle = policiesOnly(
                    peerAuthentication("default", "default", "2024-02-01T00:00:00Z", "  mtls: {mode: STRICT}"),
                    peerAuthentication("default", "httpbin", "2024-03-01T00:00:00Z", """
                      selector: {matchLabels: {app: httpbin}}
                      mtls: {mode: UNSET}
                      portLevelMtls:
                        "8000": {mode: UNSET}
                    """));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/default; UNSET in port-level mTLS"
                            + " of PeerAuthentication default/httpbin, PeerAuthentication default/httpbin" + NOT_REWRITTEN,
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void portLevelIsIgnoredOnNamespacePolicies() {
            IstioMtlsOracle oracle = policiesOnly(peerAuthentication("default", "default", "2024-02-01T00:00:00Z", """
                      mtls: {mode: STRICT}
                      portLevelMtls:
                        8000: {mode: DISABLE}
                    """));
            assertTrue(check(oracle, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @ParameterizedTest(name = "older policy {0} wins")
        @ValueSource(strings = {"a-disable", "z-disable"})
        void oldestOfTwoWorkloadPoliciesWins(String disabling) {
            String strict = disabling.equals("a-disable") ? "z-strict" : "a-strict";
            // Whatever the names, the older timestamp decides.
            IstioMtlsOracle older = policiesOnly(
                    peerAuthentication("default", disabling, "2024-01-01T00:00:00Z",
                            "  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: DISABLE}"),
                    peerAuthentication("default", strict, "2024-06-01T00:00:00Z",
                            "  selector: {matchLabels: {version: v1}}\n  mtls: {mode: STRICT}"));
            assertVerdict(false, "port 8000 DISABLE by PeerAuthentication default/" + disabling,
                    check(older, HTTPBIN, MESHED, 8000));
            IstioMtlsOracle newer = policiesOnly(
                    peerAuthentication("default", disabling, "2024-06-01T00:00:00Z",
                            "  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: DISABLE}"),
                    peerAuthentication("default", strict, "2024-01-01T00:00:00Z",
                            "  selector: {matchLabels: {version: v1}}\n  mtls: {mode: STRICT}"));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/" + strict + NOT_REWRITTEN,
                    check(newer, HTTPBIN, MESHED, 8000));
        }

        /**
         * Two selector-less policies in one namespace, or two in the root namespace: Istio takes the oldest of each
         * level, as for workload policies, whatever the names; the newer one is ignored.
         */
        @ParameterizedTest
        @ValueSource(strings = {"default", "istio-system"})
        void oldestOfTwoPoliciesOfALevelWins(String namespace) {
            String level = namespace.equals("istio-system") ? "mesh" : "namespace";
            String shown = level.equals("mesh") ? " (mesh)" : "";
            IstioMtlsOracle strictOlder = policiesOnly(
                    peerAuthentication(namespace, "z-" + level + "-strict", "2024-01-01T00:00:00Z",
                            "  mtls: {mode: STRICT}"),
                    peerAuthentication(namespace, "a-" + level + "-permissive", "2024-02-01T00:00:00Z",
                            "  mtls: {mode: PERMISSIVE}"));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication " + namespace + "/z-" + level + "-strict"
                    + shown + NOT_REWRITTEN, check(strictOlder, HTTPBIN, MESHED, 8000));
            IstioMtlsOracle permissiveOlder = policiesOnly(
                    peerAuthentication(namespace, "z-" + level + "-strict", "2024-02-01T00:00:00Z",
                            "  mtls: {mode: STRICT}"),
                    peerAuthentication(namespace, "a-" + level + "-permissive", "2024-01-01T00:00:00Z",
                            "  mtls: {mode: PERMISSIVE}"));
            assertVerdict(false, "port 8000 PERMISSIVE by PeerAuthentication " + namespace + "/a-" + level
                    + "-permissive" + shown, check(permissiveOlder, HTTPBIN, MESHED, 8000));
        }

        @Test
        void sameTimestampFallsBackToName() {
            IstioMtlsOracle oracle = policiesOnly(
                    peerAuthentication("default", "b", "2024-01-01T00:00:00Z",
                            "  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: STRICT}"),
                    peerAuthentication("default", "a", "2024-01-01T00:00:00Z",
                            "  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: PERMISSIVE}"));
            assertVerdict(false, "port 8000 PERMISSIVE by PeerAuthentication default/a",
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void workloadSelectorMustMatchEveryLabel() {
            IstioMtlsOracle oracle = policiesOnly(resource(MESH_STRICT), peerAuthentication("default", "other",
                    "2024-02-01T00:00:00Z", "  selector: {matchLabels: {app: httpbin, version: v2}}\n"
                            + "  mtls: {mode: DISABLE}"));
            assertTrue(check(oracle, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void selectorInTheRootNamespaceIsIgnored() {
            IstioMtlsOracle oracle = policiesOnly(resource(MESH_STRICT), peerAuthentication("istio-system",
                    "httpbin", "2024-02-01T00:00:00Z", "  selector: {matchLabels: {app: httpbin}}\n"
                            + "  mtls: {mode: DISABLE}"));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication istio-system/default (mesh)" + NOT_REWRITTEN,
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void otherRootNamespaceSetting() {
            IstioMtlsOracle oracle = new IstioMtlsOracle(mesh(resource(MESH_STRICT)).rootNamespace("mesh-root")
                    .rewriteAppProbesByDefault(false).build());
            assertVerdict(false, "port 8000 PERMISSIVE (no PeerAuthentication applies; Istio's default)",
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void v1beta1ReadsLikeV1() {
            IstioMtlsOracle oracle = policiesOnly(resource("""
                    apiVersion: security.istio.io/v1beta1
                    kind: PeerAuthentication
                    metadata: {name: default, namespace: default}
                    spec: {mtls: {mode: STRICT}}
                    """));
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/default" + NOT_REWRITTEN,
                    check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void meshUnsetIsPermissive() {
            IstioMtlsOracle oracle = policiesOnly(resource("""
                    apiVersion: security.istio.io/v1
                    kind: PeerAuthentication
                    metadata: {name: default, namespace: istio-system}
                    """));
            assertVerdict(false, "port 8000 PERMISSIVE (Istio's default); UNSET in PeerAuthentication"
                    + " istio-system/default (mesh)", check(oracle, HTTPBIN, MESHED, 8000));
        }
    }

    @Nested
    class LegacyTargets {

        private static final String NAMED_PORT_POLICY = """
                apiVersion: authentication.istio.io/v1alpha1
                kind: Policy
                metadata: {name: httpbin, namespace: default}
                spec:
                  targets:
                  - name: httpbin
                    ports:
                    - name: http
                  peers:
                  - mtls: {}
                """;

        /** Service port 80 named http, sent to the container port named web (8000). */
        private final Service namedTarget = new ServiceBuilder().withNewMetadata().withName("httpbin")
                .withNamespace("default").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "httpbin"))
                .addToPorts(new ServicePortBuilder().withName("http").withPort(80)
                        .withTargetPort(new IntOrString("web")).build())
                .endSpec().build();

        private IstioMtlsOracle oracle(Service service, GenericKubernetesResource... policies) {
            return new IstioMtlsOracle(MeshPolicies.builder().policies(List.of(policies)).services(List.of(service))
                    .rewriteAppProbesByDefault(false).build());
        }

        @Test
        void namedServicePortMapsThroughNamedTargetPort() {
            IstioMtlsOracle oracle = oracle(namedTarget, resource(NAMED_PORT_POLICY));
            assertVerdict(true, "port 8000 under mTLS by Policy default/httpbin (v1alpha1 peers: mtls,"
                    + " targets service httpbin port \"http\")" + NOT_REWRITTEN, check(oracle, HTTPBIN, MESHED, 8000));
            assertFalse(check(oracle, HTTPBIN, MESHED, 8001).rejectsPlaintext());
        }

        @Test
        void serviceNumberIsTheServicePortNotTheContainerPort() {
            IstioMtlsOracle byServicePort = oracle(namedTarget, resource(NAMED_PORT_POLICY.replace("- name: http\n",
                    "- number: 80\n")));
            assertTrue(check(byServicePort, HTTPBIN, MESHED, 8000).rejectsPlaintext());
            IstioMtlsOracle byContainerPort = oracle(namedTarget, resource(NAMED_PORT_POLICY.replace("- name: http\n",
                    "- number: 8000\n")));
            assertFalse(check(byContainerPort, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        /**
         * A service port number Pilot could not decode (it reads the value, quoted or not, as a JSON number into a
         * uint32) or that names no port makes the target unreadable: the policy is ignored whole, with a note, even
         * with a port name beside it. Java would read the leading zeros and the fraction as port 80.
         */
        @ParameterizedTest(name = "number: {0}")
        @ValueSource(strings = {"\"080\"", "\"00080\"", "\"+80\"", "\"٨٠\"", "\"80.0\"", "80.5", "0",
                "65536"})
        void aServicePortNumberIstioWouldNotTakeIgnoresThePolicyWhole(String number) {
            MeshPolicies mesh = MeshPolicies.builder().services(List.of(namedTarget))
                    .policies(List.of(resource(NAMED_PORT_POLICY.replace("- name: http\n",
                            "- number: " + number + "\n      name: http\n"))))
                    .rewriteAppProbesByDefault(false).build();
            assertEquals(List.of("Policy default/httpbin: a target has no service name or an unreadable port"),
                    mesh.ignored());
            assertFalse(check(new IstioMtlsOracle(mesh), HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void servicePortNumbersFromOneTo65535WrittenPlainlyArePorts() {
            for (String number : List.of("80", "\"80\"", "1", "65535")) {
                MeshPolicies mesh = MeshPolicies.builder().services(List.of(namedTarget))
                        .policies(List.of(resource(NAMED_PORT_POLICY.replace("- name: http\n",
                                "- number: " + number + "\n"))))
                        .rewriteAppProbesByDefault(false).build();
                assertEquals(List.of(), mesh.ignored(), number);
                assertEquals(number.contains("80"), check(new IstioMtlsOracle(mesh), HTTPBIN, MESHED, 8000)
                        .rejectsPlaintext(), number);
            }
        }

        @Test
        void targetNeedsTheServiceToSelectThePod() {
            Service elsewhere = new ServiceBuilder(namedTarget).editSpec().withSelector(Map.of("app", "other"))
                    .endSpec().build();
            assertFalse(check(oracle(elsewhere, resource(NAMED_PORT_POLICY)), HTTPBIN, MESHED, 8000)
                    .rejectsPlaintext());
        }

        @Test
        void serviceSpecificBeatsNamespaceBeatsMesh() {
            GenericKubernetesResource meshPolicy = resource(MESH_POLICY_STRICT);
            GenericKubernetesResource namespacePlaintext = resource("""
                    apiVersion: authentication.istio.io/v1alpha1
                    kind: Policy
                    metadata: {name: default, namespace: default}
                    spec: {}
                    """);
            Service service = MeshFixtures.httpbinService();
            assertVerdict(true, "port 8000 under mTLS by MeshPolicy default (v1alpha1 peers: mtls, mesh-wide)" + NOT_REWRITTEN,
                    check(oracle(service, meshPolicy), HTTPBIN, MESHED, 8000));
            assertVerdict(false, "port 8000 without mTLS by Policy default/default (v1alpha1 without peers,"
                    + " namespace-wide)", check(oracle(service, meshPolicy, namespacePlaintext), HTTPBIN, MESHED, 8000));
            GenericKubernetesResource serviceStrict = resource(NAMED_PORT_POLICY);
            assertTrue(check(oracle(service, meshPolicy, namespacePlaintext, serviceStrict), HTTPBIN, MESHED, 8000)
                    .rejectsPlaintext());
        }

        @Test
        void meshPolicyBeatsGlobalSwitch() {
            GenericKubernetesResource meshPlaintext = resource("""
                    apiVersion: authentication.istio.io/v1alpha1
                    kind: MeshPolicy
                    metadata: {name: default}
                    spec: {peers: []}
                    """);
            IstioMtlsOracle oracle = new IstioMtlsOracle(mesh(meshPlaintext).legacyGlobalMtls(true)
                    .rewriteAppProbesByDefault(false).build());
            assertFalse(check(oracle, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void legacyPermissiveAccepts() {
            IstioMtlsOracle oracle = oracle(MeshFixtures.httpbinService(), resource("""
                    apiVersion: authentication.istio.io/v1alpha1
                    kind: Policy
                    metadata: {name: default, namespace: default}
                    spec:
                      peers:
                      - mtls: {mode: PERMISSIVE}
                    """));
            assertVerdict(false, "port 8000 PERMISSIVE by Policy default/default (v1alpha1 peers: mtls PERMISSIVE,"
                    + " namespace-wide)", check(oracle, HTTPBIN, MESHED, 8000));
        }

        @Test
        void newerApiBeatsLegacy() {
            GenericKubernetesResource legacyStrict = resource("""
                    apiVersion: authentication.istio.io/v1alpha1
                    kind: Policy
                    metadata: {name: default, namespace: default}
                    spec:
                      peers:
                      - mtls: {}
                    """);
            GenericKubernetesResource permissive =
                    peerAuthentication("default", "default", "2024-02-01T00:00:00Z", "  mtls: {mode: PERMISSIVE}");
            assertTrue(check(oracle(MeshFixtures.httpbinService(), legacyStrict), HTTPBIN, MESHED, 8000)
                    .rejectsPlaintext());
            assertVerdict(false, "port 8000 PERMISSIVE by PeerAuthentication default/default",
                    check(oracle(MeshFixtures.httpbinService(), legacyStrict, permissive), HTTPBIN, MESHED, 8000));
        }
    }

    @Nested
    class Interception {

        private final IstioMtlsOracle strict = policiesOnly(resource(MESH_STRICT));

        @Test
        void excludedInboundPortAccepts() {
            Pod pod = httpbin().editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/excludeInboundPorts", "8001, 8002").endMetadata().build();
            assertVerdict(false, "port 8002 excluded from interception (traffic.sidecar.istio.io/excludeInboundPorts)",
                    check(strict, pod, MESHED, 8002));
            assertTrue(check(strict, pod, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void portMissingFromIncludeInboundPortsAccepts() {
            Pod pod = httpbin().editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/includeInboundPorts", "8001").endMetadata().build();
            assertVerdict(false, "port 8000 not intercepted (traffic.sidecar.istio.io/includeInboundPorts: \"8001\")",
                    check(strict, pod, MESHED, 8000));
            assertTrue(check(strict, pod, MESHED, 8001).rejectsPlaintext());
        }

        @Test
        void wildcardIncludesEveryPort() {
            Pod pod = httpbin().editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/includeInboundPorts", "*").endMetadata().build();
            assertTrue(check(strict, pod, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void exclusionsCountOnlyWhereEveryPortIsCaptured() {
            // Istio writes the exclusions' RETURN rules only under "*": a listed port is captured, excluded or not.
            Pod listed = httpbin().editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/includeInboundPorts", "8000,8001")
                    .addToAnnotations("traffic.sidecar.istio.io/excludeInboundPorts", "8001").endMetadata().build();
            assertTrue(check(strict, listed, MESHED, 8001).rejectsPlaintext());
            Pod all = httpbin().editMetadata()
                    .addToAnnotations("traffic.sidecar.istio.io/includeInboundPorts", "*")
                    .addToAnnotations("traffic.sidecar.istio.io/excludeInboundPorts", "8001").endMetadata().build();
            assertVerdict(false, "port 8001 excluded from interception (traffic.sidecar.istio.io/excludeInboundPorts)",
                    check(strict, all, MESHED, 8001));
        }
    }

    @Nested
    class Sidecar {

        private final IstioMtlsOracle strict = policiesOnly(resource(MESH_STRICT));

        @Test
        void namespaceWithoutInjectionLabelHasNoSidecar() {
            assertVerdict(false, "no sidecar (namespace default has neither istio-injection=enabled nor istio.io/rev,"
                    + " and the pod has no sidecar.istio.io/inject=true label)", check(strict, HTTPBIN, UNMESHED, 8000));
            assertTrue(check(strict, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void revisionLabelInjects() {
            NamespaceContext revision = new NamespaceContext("default", Map.of("istio.io/rev", "1-24"), Map.of());
            assertTrue(check(strict, HTTPBIN, revision, 8000).rejectsPlaintext());
        }

        @Test
        void disabledNamespaceWinsOverPodLabel() {
            NamespaceContext disabled = new NamespaceContext("default", Map.of("istio-injection", "disabled",
                    "istio.io/rev", "1-24"), Map.of());
            Pod pod = httpbin().editMetadata().addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
            assertVerdict(false, "no sidecar (namespace default has istio-injection=disabled)",
                    check(strict, pod, disabled, 8000));
        }

        @Test
        void podLabelFalseOptsOut() {
            Pod pod = httpbin().editMetadata().addToLabels("sidecar.istio.io/inject", "false").endMetadata().build();
            assertVerdict(false, "no sidecar (pod label sidecar.istio.io/inject: \"false\")",
                    check(strict, pod, MESHED, 8000));
        }

        @Test
        void podAnnotationFalseOptsOutAndLabelOverridesIt() {
            Pod annotated = httpbin().editMetadata().addToAnnotations("sidecar.istio.io/inject", "false").endMetadata()
                    .build();
            assertFalse(check(strict, annotated, MESHED, 8000).rejectsPlaintext());
            Pod labelled = new io.fabric8.kubernetes.api.model.PodBuilder(annotated).editMetadata()
                    .addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
            assertTrue(check(strict, labelled, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void podLabelTrueInjectsOutsideInjectingNamespaces() {
            Pod pod = httpbin().editMetadata().addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
            assertTrue(check(strict, pod, UNMESHED, 8000).rejectsPlaintext());
        }

        @Test
        void podAnnotationTrueAloneDoesNotInject() {
            Pod pod = httpbin().editMetadata().addToAnnotations("sidecar.istio.io/inject", "true").endMetadata().build();
            MtlsVerdict verdict = check(strict, pod, UNMESHED, 8000);
            assertFalse(verdict.rejectsPlaintext());
            assertTrue(verdict.rule().contains("alone does not call the injector"), verdict.rule());
        }

        @Test
        void hostNetworkIsNeverMeshed() {
            Pod pod = httpbin().editSpec().withHostNetwork(true).endSpec().build();
            assertVerdict(false, "no sidecar (hostNetwork: true; Istio never meshes host-network pods)",
                    check(strict, pod, MESHED, 8000));
        }

        @Test
        void existingProxyContainerMeansMeshed() {
            Pod pod = httpbin().editSpec().addNewContainer().withName("istio-proxy").endContainer().endSpec().build();
            assertTrue(check(strict, pod, UNMESHED, 8000).rejectsPlaintext());
        }

        @Test
        void existingNativeSidecarProxyMeansMeshed() {
            Pod pod = httpbin().editSpec().addNewInitContainer().withName("istio-proxy").withRestartPolicy("Always")
                    .endInitContainer().endSpec().build();
            assertTrue(check(strict, pod, UNMESHED, 8000).rejectsPlaintext());
        }
    }

    @Nested
    class IstioProbeRewrite {

        private final MeshPolicies meshStrict = mesh(resource(MESH_STRICT)).build();

        @Test
        void meshDefaultRewritesHttpProbes() {
            assertVerdict(false, "Istio rewrites this pod's HTTP probes (the mesh default: Istio's default since 1.6;"
                    + " no ConfigMap istio-system/istio-sidecar-injector was read)",
                    check(new IstioMtlsOracle(meshStrict), HTTPBIN, MESHED, 8000));
        }

        @Test
        void hooksAreNotCountedAsRewrittenByIstio() {
            // Istio rewrites httpGet hooks only since 1.25: a hook is judged by the policies alone.
            Pod pod = httpbin().editSpec().editFirstContainer().withNewLifecycle().withNewPreStop().withNewHttpGet()
                    .withPath("/drain").withPort(new IntOrString(8000)).endHttpGet().endPreStop().endLifecycle().endContainer()
                    .endSpec().build();
            Container c = pod.getSpec().getContainers().get(0);
            MtlsVerdict verdict = new IstioMtlsOracle(meshStrict).check(new ProbeTarget(pod, MESHED,
                    new ContainerRef(ContainerSection.CONTAINERS, 0, c.getName()), c, HookKind.PRE_STOP, 8000));
            assertTrue(verdict.rejectsPlaintext(), verdict.rule());
        }

        @Test
        void podAnnotationFalseTurnsItOff() {
            Pod pod = httpbin().editMetadata().addToAnnotations("sidecar.istio.io/rewriteAppHTTPProbers", "false")
                    .endMetadata().build();
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication istio-system/default (mesh); Istio does not"
                    + " rewrite this pod's HTTP probes (sidecar.istio.io/rewriteAppHTTPProbers: \"false\")",
                    check(new IstioMtlsOracle(meshStrict), pod, MESHED, 8000));
        }

        @Test
        void podAnnotationTrueBeatsMeshDefaultOff() {
            Pod pod = httpbin().editMetadata().addToAnnotations("sidecar.istio.io/rewriteAppHTTPProbers", "true")
                    .endMetadata().build();
            IstioMtlsOracle off = policiesOnly(resource(MESH_STRICT));
            assertVerdict(false, "Istio rewrites this pod's HTTP probes (sidecar.istio.io/rewriteAppHTTPProbers:"
                    + " \"true\")", check(off, pod, MESHED, 8000));
            assertTrue(check(off, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void grpcProbesAreRewrittenToo() {
            Pod pod = httpbin().editSpec().editFirstContainer().withLivenessProbe(new ProbeBuilder().withNewGrpc()
                    .withPort(8000).endGrpc().build()).endContainer().endSpec().build();
            MtlsVerdict verdict = check(new IstioMtlsOracle(meshStrict), pod, MESHED, 8000);
            assertFalse(verdict.rejectsPlaintext());
            assertTrue(verdict.rule().startsWith("Istio rewrites this pod's gRPC probes"), verdict.rule());
        }

        @Test
        void alreadyInjectedPodWasNotRewritten() {
            Pod pod = httpbin().editSpec().addNewContainer().withName("istio-proxy").endContainer().endSpec().build();
            assertTrue(check(new IstioMtlsOracle(meshStrict), pod, MESHED, 8000).rejectsPlaintext());
        }
    }

    /**
     * The port exceptions probe-rewriter's operator writes (label app.kubernetes.io/managed-by=probe-rewriter) follow
     * from the rewrite: the resolver reads the mesh as if they did not exist, or the rewrite they exist for would be
     * undone by them.
     */
    @Nested
    class OwnPortExceptions {

        private static final String PORT_EXCEPTION = """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: probe-rewriter-deployment-httpbin
                  namespace: default
                  creationTimestamp: "2024-03-01T00:00:00Z"
                  labels: {app.kubernetes.io/managed-by: %s}
                spec:
                  selector: {matchLabels: {app: httpbin}}
                  mtls: {mode: UNSET}
                  portLevelMtls:
                    "8000": {mode: PERMISSIVE}
                """;

        @Test
        void ourPortLevelExceptionLeavesThePortUnderTheNamespacesMode() {
            GenericKubernetesResource strict =
                    peerAuthentication("default", "default", "2024-02-01T00:00:00Z", "  mtls: {mode: STRICT}");
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/default" + NOT_REWRITTEN,
                    check(policiesOnly(strict, resource(PORT_EXCEPTION.formatted("probe-rewriter"))), HTTPBIN, MESHED,
                            8000));
            // The same policy under another manager is the user's own, and decides.
            assertVerdict(false, "port 8000 PERMISSIVE by port-level mTLS of PeerAuthentication"
                            + " default/probe-rewriter-deployment-httpbin",
                    check(policiesOnly(strict, resource(PORT_EXCEPTION.formatted("Helm"))), HTTPBIN, MESHED, 8000));
        }

        @Test
        void ourLegacyPolicyIsNoInputEither() {
            GenericKubernetesResource ours = resource("""
                    apiVersion: authentication.istio.io/v1alpha1
                    kind: Policy
                    metadata:
                      name: probe-rewriter-deployment-httpbin
                      namespace: default
                      labels: {app.kubernetes.io/managed-by: probe-rewriter}
                    spec:
                      targets:
                      - name: httpbin
                        ports:
                        - number: 8000
                    """);
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY_STRICT), ours))
                    .services(List.of(MeshFixtures.httpbinService())).rewriteAppProbesByDefault(false).build();
            assertTrue(check(new IstioMtlsOracle(mesh), HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        /**
         * On a mesh still on the v1alpha1 API (Istio 1.5), a PeerAuthentication of ours must not make it look current:
         * Istio's own probe rewrite would count as on, and no probe would need the health port the policy is for.
         */
        @Test
        void ourPeerAuthenticationDoesNotMakeALegacyMeshCurrent() {
            MeshPolicies mesh = MeshPolicies.builder().policies(List.of(resource(MESH_POLICY_STRICT),
                    resource(PORT_EXCEPTION.formatted("probe-rewriter")))).build();
            assertFalse(mesh.probeRewrite("").rewrites(), mesh.probeRewrite("").source());
            assertTrue(mesh.legacyEra().isPresent());
        }
    }

    @Nested
    class Robustness {

        @Test
        void malformedPoliciesAreIgnoredNotThrown() {
            List<GenericKubernetesResource> bad = List.of(
                    peerAuthentication("default", "lowercase", "2024-01-01T00:00:00Z", "  mtls: {mode: strict}"),
                    peerAuthentication("default", "bad-port", "2024-01-01T00:00:00Z", """
                      selector: {matchLabels: {app: httpbin}}
                      portLevelMtls:
                        http: {mode: STRICT}
                    """),
                    resource("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
                            + "metadata: {name: s, namespace: default}\nspec: just-a-string\n"),
                    resource("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
                            + "metadata: {name: m, namespace: default}\nspec: {mtls: [STRICT]}\n"),
                    resource("apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\n"
                            + "metadata: {name: t, namespace: default}\nspec: {targets: httpbin, peers: [{mtls: {}}]}\n"),
                    resource("apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\n"
                            + "metadata: {name: default, namespace: default}\nspec: {peers: [{mtls: {mode: SOMETIMES}}]}\n"),
                    resource("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nspec: {}\n"),
                    resource("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                            + "metadata: {name: d, namespace: default}\n"));
            MeshPolicies mesh = MeshPolicies.builder().policies(bad).rewriteAppProbesByDefault(false).build();
            assertEquals(bad.size(), mesh.ignored().size(), String.join("\n", mesh.ignored()));
            assertVerdict(false, "port 8000 PERMISSIVE (no PeerAuthentication applies; Istio's default)",
                    check(new IstioMtlsOracle(mesh), HTTPBIN, MESHED, 8000));
        }

        /**
         * A portLevelMtls key Istio would not take (its CRD refuses it, or istiod cannot decode it as a uint32) makes
         * the policy one Istio does not apply: it is ignored whole, with a note, and the namespace's STRICT decides.
         * Java's readers would take most of these as port 8000 (other scripts' digits, a sign, leading zeros, spaces).
         */
        @ParameterizedTest(name = "key \"{0}\"")
        @ValueSource(strings = {"٨٠٠٠", "８０００", "+8000", "08000", " 8000", "8000 ", "0", "65536",
                "4294975296", "-8000", "8000.0", "8e3", "0x1F40"})
        void aPortLevelKeyIstioWouldNotTakeIgnoresThePolicyWhole(String key) {
            MeshPolicies mesh = mesh(
                    peerAuthentication("default", "default", "2024-01-01T00:00:00Z", "  mtls: {mode: STRICT}"),
                    peerAuthentication("default", "httpbin", "2024-02-01T00:00:00Z", """
                              selector: {matchLabels: {app: httpbin}}
                              portLevelMtls:
                                "%s": {mode: DISABLE}
                            """.formatted(key)))
                    .rewriteAppProbesByDefault(false).build();
            assertEquals(List.of("PeerAuthentication default/httpbin: spec.portLevelMtls entry \"" + key
                    + "\" is not a port with a valid mode"), mesh.ignored());
            assertVerdict(true, "port 8000 STRICT by PeerAuthentication default/default" + NOT_REWRITTEN,
                    check(new IstioMtlsOracle(mesh), HTTPBIN, MESHED, 8000));
        }

        @Test
        void portLevelKeysTakeEveryPortFromOneTo65535() {
            MeshPolicies mesh = mesh(peerAuthentication("default", "default", "2024-01-01T00:00:00Z",
                    "  mtls: {mode: STRICT}"), peerAuthentication("default", "httpbin", "2024-02-01T00:00:00Z", """
                      selector: {matchLabels: {app: httpbin}}
                      portLevelMtls:
                        "1": {mode: DISABLE}
                        "65535": {mode: PERMISSIVE}
                    """)).rewriteAppProbesByDefault(false).build();
            assertEquals(List.of(), mesh.ignored());
            IstioMtlsOracle oracle = new IstioMtlsOracle(mesh);
            assertFalse(check(oracle, HTTPBIN, MESHED, 1).rejectsPlaintext());
            assertFalse(check(oracle, HTTPBIN, MESHED, 65535).rejectsPlaintext());
            assertTrue(check(oracle, HTTPBIN, MESHED, 8000).rejectsPlaintext());
        }

        @Test
        void podWithoutMetadataOrNamespaceInfo() {
            Pod bare = new io.fabric8.kubernetes.api.model.PodBuilder().withNewSpec().addNewContainer()
                    .withName("c").endContainer().endSpec().build();
            // Nothing known of the namespace: taken to inject the sidecar, so the mesh-wide STRICT applies.
            MtlsVerdict unknown = check(policiesOnly(resource(MESH_STRICT)), bare, NamespaceContext.unknown(null), 80);
            assertTrue(unknown.rejectsPlaintext(), unknown.rule());
            // A namespace known to have no injection label: no sidecar.
            MtlsVerdict known = check(policiesOnly(resource(MESH_STRICT)), bare, UNMESHED, 80);
            assertFalse(known.rejectsPlaintext());
            assertTrue(known.rule().startsWith("no sidecar"), known.rule());
        }
    }
}
