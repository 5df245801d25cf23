package io.proberewriter.audit;

import static io.proberewriter.audit.AuditFixtures.ENGINE;
import static io.proberewriter.audit.AuditFixtures.namespace;
import static io.proberewriter.audit.AuditFixtures.pod;
import static io.proberewriter.audit.AuditFixtures.rewritten;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.proberewriter.audit.PodFinding.Remediation;
import io.proberewriter.audit.PodFinding.Verdict;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.scope.WebhookScope;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The audit's verdict on one pod, without a cluster: the webhook's engine run on the pod as it runs. */
class PodAuditTest {

    private static final String OWN = "probe-rewriter-system";
    private static final WebhookScope UNKNOWN_SCOPE = WebhookScope.unknown("no configuration in this test");

    private static PodFinding examine(Pod pod, Namespace namespace) {
        return PodAudit.examine(pod, namespace == null ? NamespaceView.unknown(pod.getMetadata().getNamespace())
                : NamespaceView.of(namespace), OWN, WebhookScope.unknown("no configuration in this test"), ENGINE);
    }

    @Test
    void aPodThatSlippedPastTheWebhookIsBrokenAndFixable() {
        Namespace shop = namespace("shop", true, false);
        PodFinding finding = examine(pod("shop", "httpbin-1", Map.of()), shop);
        assertEquals(Verdict.BROKEN, finding.verdict());
        assertEquals(Set.of(ProbeKind.LIVENESS), finding.brokenKinds());
        assertEquals(Remediation.NOT_ASKED, finding.remediation(), "the namespace does not ask for restarts");

        PodFinding asked = examine(pod("shop", "httpbin-1", Map.of()), namespace("shop", true, true));
        assertEquals(Remediation.RESTART_CONTROLLER, asked.remediation());
    }

    @Test
    void aPodTheWebhookRewroteIsHealthy() {
        Namespace shop = namespace("shop", true, true);
        Pod admitted = rewritten(pod("shop", "httpbin-1", Map.of()), shop);
        assertTrue(admitted.getMetadata().getAnnotations().containsKey(Annotations.ORIGINAL_PROBES),
                "the fixture must really be rewritten");
        PodFinding finding = examine(admitted, shop);
        assertEquals(Verdict.HEALTHY, finding.verdict(), finding.why());
        assertEquals(Remediation.NOT_ASKED, finding.remediation());
    }

    @Test
    void aPodTheWebhookRewroteInPortModeIsHealthy() {
        Namespace shop = namespace("shop", true, true);
        shop.getMetadata().getAnnotations().put(Annotations.ALLOWED_HEALTH_PORTS, "8081");
        Pod pod = pod("shop", "httpbin-1", Map.of(Annotations.MODE, "port", Annotations.HEALTH_PORT, "8081"));
        pod.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                .withContainerPort(8081).build());
        assertEquals(Verdict.BROKEN, examine(pod, shop).verdict());
        assertEquals(Verdict.HEALTHY, examine(rewritten(pod, shop), shop).verdict());
    }

    /**
     * The operator's port exception for a health port is no input to the istio resolver, for the audit as for the
     * webhook: a pod whose probe is kept on its health port without that port's exclusion from interception (admitted
     * by a version that read the exception as plaintext) slipped past the webhook, and a restart gives it the
     * exclusion; the pod as the webhook admits it now is healthy.
     */
    @Test
    void theOperatorsPortExceptionDoesNotMakeAPodWithoutItsExclusionHealthy() {
        Namespace shop = namespace("shop", true, true);
        shop.getMetadata().getLabels().put("istio-injection", "enabled");
        shop.getMetadata().getAnnotations().put(Annotations.ALLOWED_HEALTH_PORTS, "8081");
        GenericKubernetesResource ours = peerAuthentication("probe-rewriter-deployment-httpbin",
                Map.of("selector", Map.of("matchLabels", Map.of("app", "httpbin")), "mtls", Map.of("mode", "UNSET"),
                        "portLevelMtls", Map.of("8081", Map.of("mode", "PERMISSIVE"))));
        ours.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "probe-rewriter"));
        ProbeRewriter istio = new ProbeRewriter(GlobalSettings.defaults(), new IstioMtlsOracle(MeshPolicies.builder()
                .policies(List.of(peerAuthentication("default", Map.of("mtls", Map.of("mode", "STRICT"))), ours))
                .rewriteAppProbesByDefault(false).build()));
        Pod onHealthPort = pod("shop", "httpbin-1", Map.of(Annotations.MODE, "port", Annotations.HEALTH_PORT, "8081"));
        onHealthPort.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model
                .ContainerPortBuilder().withContainerPort(8081).build());
        onHealthPort.getSpec().getContainers().get(0).getLivenessProbe().getHttpGet().setPort(new IntOrString(8081));

        PodFinding finding = PodAudit.examine(onHealthPort, NamespaceView.of(shop), OWN, UNKNOWN_SCOPE, istio);
        assertEquals(Verdict.BROKEN, finding.verdict(), finding.why());
        assertEquals(Remediation.RESTART_CONTROLLER, finding.remediation());

        Pod admitted = AppliedRewrite.apply(istio.rewrite(onHealthPort, NamespaceView.of(shop).context()),
                onHealthPort);
        assertEquals(Verdict.HEALTHY, PodAudit.examine(admitted, NamespaceView.of(shop), OWN, UNKNOWN_SCOPE, istio)
                .verdict());
    }

    private static GenericKubernetesResource peerAuthentication(String name, Map<String, Object> spec) {
        GenericKubernetesResource policy = new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1")
                .withKind("PeerAuthentication").withNewMetadata().withNamespace("shop").withName(name)
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        policy.setAdditionalProperty("spec", spec);
        return policy;
    }

    @Test
    void modeOffIsBrokenButARestartWouldNotHelp() {
        PodFinding finding = examine(pod("shop", "legacy-1", Map.of(Annotations.MODE, "off")),
                namespace("shop", true, true));
        assertEquals(Verdict.BROKEN, finding.verdict());
        assertEquals(Set.of(ProbeKind.LIVENESS), finding.brokenKinds());
        assertEquals(Remediation.WEBHOOK_WOULD_NOT_FIX, finding.remediation());
    }

    @Test
    void aNamespaceModeOffCountsToo() {
        Namespace shop = namespace("shop", true, true);
        shop.getMetadata().getAnnotations().put(Annotations.MODE, "off");
        PodFinding finding = examine(pod("shop", "httpbin-1", Map.of()), shop);
        assertEquals(Remediation.WEBHOOK_WOULD_NOT_FIX, finding.remediation());
    }

    @Test
    void everyBrokenKindIsNamedOnceInProbeOrder() {
        Pod pod = pod("shop", "httpbin-1", Map.of());
        var container = pod.getSpec().getContainers().get(0);
        container.setStartupProbe(container.getLivenessProbe());
        container.setReadinessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewExec()
                .withCommand("cat", "/tmp/ready").endExec().build());
        pod.getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder(container)
                .withName("second").build());
        PodFinding finding = examine(pod, namespace("shop", true, false));
        assertEquals(List.of(ProbeKind.LIVENESS, ProbeKind.STARTUP), finding.brokenKindsInOrder());
    }

    @Test
    void podsWithOnlyExecProbesAreHealthy() {
        Pod pod = pod("shop", "exec-1", Map.of());
        pod.getSpec().getContainers().get(0).setLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                .withNewExec().withCommand("cat", "/tmp/ok").endExec().build());
        assertEquals(Verdict.HEALTHY, examine(pod, namespace("shop", true, true)).verdict());
    }

    /** The sidecar accepts the kubelet's connection itself: a TCP probe under mTLS passes with the app gone. */
    @Test
    void aTcpProbeUnderMtlsIsHollowAndReportedBroken() {
        Pod pod = pod("shop", "tcp-1", Map.of());
        pod.getSpec().getContainers().get(0).setLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                .withNewTcpSocket().withPort(new IntOrString(8000)).endTcpSocket().build());
        PodFinding finding = examine(pod, namespace("shop", true, true));
        assertEquals(Verdict.BROKEN, finding.verdict());
        assertEquals(PodFinding.Remediation.RESTART_CONTROLLER, finding.remediation(),
                "the webhook would rewrite it to the prober");
    }

    @Test
    void onlyOptedInNamespacesAreAudited() {
        Pod pod = pod("shop", "httpbin-1", Map.of());
        assertEquals(Verdict.IGNORED, examine(pod, namespace("shop", false, true)).verdict());
        assertEquals(Verdict.IGNORED, examine(pod, null).verdict(), "an unknown namespace is not opted in");
        Namespace wrongValue = namespace("shop", false, false);
        wrongValue.getMetadata().setLabels(Map.of(Annotations.ENABLED_LABEL, "yes"));
        assertEquals(Verdict.IGNORED, examine(pod, wrongValue).verdict());
    }

    @Test
    void ourOwnNamespaceAndKubeSystemAreNeverTouched() {
        assertEquals(Verdict.IGNORED, examine(pod(OWN, "x", Map.of()), namespace(OWN, true, true)).verdict());
        assertEquals(Verdict.IGNORED,
                examine(pod("kube-system", "x", Map.of()), namespace("kube-system", true, true)).verdict());
    }

    @Test
    void terminatingAndFinishedPodsAreIgnored() {
        Namespace shop = namespace("shop", true, true);
        Pod terminating = new PodBuilder(pod("shop", "a", Map.of())).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        assertEquals(Verdict.IGNORED, examine(terminating, shop).verdict());
        for (String phase : List.of("Succeeded", "Failed")) {
            Pod done = new PodBuilder(pod("shop", "b", Map.of())).editStatus().withPhase(phase).endStatus().build();
            assertEquals(Verdict.IGNORED, examine(done, shop).verdict(), phase);
        }
        Pod pending = new PodBuilder(pod("shop", "c", Map.of())).editStatus().withPhase("Pending").endStatus().build();
        assertEquals(Verdict.BROKEN, examine(pending, shop).verdict());
    }
}
