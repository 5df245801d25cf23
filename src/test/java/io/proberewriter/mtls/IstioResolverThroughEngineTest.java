package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.MESHED;
import static io.proberewriter.mtls.MeshFixtures.httpbin;
import static io.proberewriter.mtls.MeshFixtures.mesh;
import static io.proberewriter.mtls.MeshFixtures.peerAuthentication;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.ProberInjection;
import io.proberewriter.engine.Action;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import java.util.List;
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
}
