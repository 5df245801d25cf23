package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.MESHED;
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
import io.proberewriter.engine.ProberInjection;
import io.proberewriter.engine.Action;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.PortList;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Istio resolver plugged into the real engine: its rule ends up in the decision the user reads. */
class IstioResolverThroughEngineTest {

    private final ProbeRewriter rewriter = new ProbeRewriter(GlobalSettings.defaults(), new IstioMtlsOracle(
            mesh(peerAuthentication("default", "default", "2024-01-01T00:00:00Z", "  mtls: {mode: STRICT}"))
                    .rewriteAppProbesByDefault(false).build()));

    @Test
    void strictPortIsRewritten() {
        RewriteResult result = rewriter.rewrite(httpbin().build(), MESHED);
        ProbeDecision decision = result.decisions().get(0);
        assertEquals(Action.REWRITTEN_EXEC, decision.action());
        assertTrue(decision.reason().contains("port 8000 STRICT by PeerAuthentication default/default"),
                decision.reason());
        Pod rewritten = AppliedRewrite.apply(result, httpbin().build());
        assertEquals(ProberInjection.BINARY,
                rewritten.getSpec().getContainers().get(0).getLivenessProbe().getExec().getCommand().get(0));
    }

    @Test
    void excludedPortIsLeftUnchangedWithTheRule() {
        Pod pod = httpbin().editMetadata().addToAnnotations("traffic.sidecar.istio.io/excludeInboundPorts", "8000")
                .endMetadata().build();
        RewriteResult result = rewriter.rewrite(pod, MESHED);
        assertFalse(result.changed());
        assertEquals(List.of("httpbin/liveness: unchanged - port 8000 excluded from interception"
                        + " (traffic.sidecar.istio.io/excludeInboundPorts): the kubelet's plaintext request gets through"),
                result.decisions().stream().map(ProbeDecision::toString).toList());
    }

    @Test
    void istioRewritingByMeshDefaultLeavesTheProbe() {
        ProbeRewriter withMeshDefault = new ProbeRewriter(GlobalSettings.defaults(), new IstioMtlsOracle(
                mesh(peerAuthentication("default", "default", "2024-01-01T00:00:00Z", "  mtls: {mode: STRICT}"))
                        .build()));
        RewriteResult result = withMeshDefault.rewrite(httpbin().build(), MESHED);
        assertFalse(result.changed());
        assertTrue(result.decisions().get(0).reason().startsWith("Istio rewrites this pod's HTTP probes"),
                result.decisions().get(0).reason());
    }

    /**
     * A pod admitted while the operator's exception for its health port exists is rewritten as if it did not: its
     * probe, already on the health port, gets the port's exclusion from interception, as the pods before it did.
     */
    @Test
    void aPodAdmittedWhileOurPortExceptionExistsIsRewrittenAsWithoutIt() {
        GenericKubernetesResource exception = resource("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: probe-rewriter-deployment-httpbin
                  namespace: default
                  creationTimestamp: "2024-03-01T00:00:00Z"
                  labels: {app.kubernetes.io/managed-by: probe-rewriter}
                spec:
                  selector: {matchLabels: {app: httpbin}}
                  mtls: {mode: UNSET}
                  portLevelMtls:
                    "8001": {mode: PERMISSIVE}
                """);
        ProbeRewriter portMode = new ProbeRewriter(GlobalSettings.defaults()
                .withAllowedHealthPorts(PortList.parse("8001").orElseThrow()), new IstioMtlsOracle(
                mesh(peerAuthentication("default", "default", "2024-01-01T00:00:00Z", "  mtls: {mode: STRICT}"),
                        exception).rewriteAppProbesByDefault(false).build()));
        Pod onHealthPort = httpbin().editMetadata()
                .addToAnnotations(Map.of("probe-rewriter.io/mode", "port", "probe-rewriter.io/health-port", "admin"))
                .endMetadata().editSpec().editFirstContainer().editLivenessProbe().editHttpGet()
                .withPort(new IntOrString("admin")).endHttpGet().endLivenessProbe().endContainer().endSpec().build();

        RewriteResult result = portMode.rewrite(onHealthPort, MESHED);

        ProbeDecision decision = result.decisions().get(0);
        assertEquals(Action.KEPT_ON_HEALTH_PORT, decision.action(), decision.reason());
        assertTrue(decision.reason().startsWith("port 8001 STRICT by PeerAuthentication default/default"),
                decision.reason());
        assertEquals("8001", AppliedRewrite.apply(result, onHealthPort).getMetadata().getAnnotations()
                .get("traffic.sidecar.istio.io/excludeInboundPorts"));
    }
}
