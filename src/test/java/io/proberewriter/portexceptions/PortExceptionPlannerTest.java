package io.proberewriter.portexceptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.proberewriter.config.ExceptionMode;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.PortList;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rules of what policy should exist, without a cluster: the engine's health ports in, writes and warnings out. */
class PortExceptionPlannerTest {

    /** Every declared port may be a health port, as if namespace shop allowed it: the planner's rules are tested here. */
    private static final GlobalSettings ANY_HEALTH_PORT = GlobalSettings.defaults()
            .withAllowedHealthPorts(PortList.parse("*").orElseThrow());
    private static final ProbeRewriter ENGINE = new ProbeRewriter(ANY_HEALTH_PORT, new AssumeAllMtlsOracle());
    private static final PortExceptionPlanner.Served V1 =
            new PortExceptionPlanner.Served(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false);
    private static final List<String> EXCLUSION = List.of("traffic.sidecar.istio.io/excludeInboundPorts");

    private static final PortExceptionPlanner PERMISSIVE =
            new PortExceptionPlanner(ExceptionMode.PERMISSIVE, false, "istio-system");

    private static Workload workload(Deployment deployment) {
        Deployment withKind = new DeploymentBuilder(deployment).withApiVersion("apps/v1").withKind("Deployment").build();
        return Workload.of(withKind, withKind.getSpec().getTemplate());
    }

    private static SortedSet<HealthPort> healthPorts(Workload workload) {
        Pod pod = workload.pod(EXCLUSION);
        RewriteResult result = ENGINE.rewrite(pod, NamespaceContext.unknown(workload.namespace()));
        return HealthPort.of(result);
    }

    private static PortExceptionPlan plan(PortExceptionPlanner planner, Workload workload,
                                          PortExceptionPlanner.Served served, List<GenericKubernetesResource> policies) {
        return planner.plan(workload, healthPorts(workload), List.of(), served, policies, List.of());
    }

    private static GenericKubernetesResource applied(PortExceptionPlan plan) {
        assertEquals(1, plan.changes().size(), () -> "one write expected: " + plan);
        return assertInstanceOf(PolicyChange.Apply.class, plan.changes().get(0)).desired();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @Test
    void peerAuthenticationSelectsTheTemplateLabelsLeavesModeUnsetAndExemptsTheHealthPort() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource policy = applied(plan(PERMISSIVE, web, V1, List.of()));

        assertEquals("security.istio.io/v1", policy.getApiVersion());
        assertEquals("PeerAuthentication", policy.getKind());
        assertEquals("shop", policy.getMetadata().getNamespace());
        assertEquals("probe-rewriter-deployment-web", policy.getMetadata().getName());
        assertEquals(Map.of("app.kubernetes.io/managed-by", "probe-rewriter"), policy.getMetadata().getLabels());
        assertEquals(Map.of(
                "selector", Map.of("matchLabels", Map.of("app", "web", "tier", "front")),
                "mtls", Map.of("mode", "UNSET"),
                "portLevelMtls", Map.of("8081", Map.of("mode", "PERMISSIVE"))), spec(policy));
        OwnerReference owner = policy.getMetadata().getOwnerReferences().get(0);
        assertEquals(List.of("apps/v1", "Deployment", "web", "uid-web"),
                List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid()));
        assertEquals(Boolean.FALSE, owner.getBlockOwnerDeletion());
        assertNull(owner.getController(), "a plain owner reference, not the controller's");
    }

    @Test
    void theVersionTheClusterServesIsWritten() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        PortExceptionPlanner.Served v1beta1 =
                new PortExceptionPlanner.Served(Optional.of(IstioKind.PEER_AUTHENTICATION_V1BETA1), false);
        assertEquals("security.istio.io/v1beta1", applied(plan(PERMISSIVE, web, v1beta1, List.of())).getApiVersion());
    }

    @Test
    void aNamedHealthPortIsWrittenAsItsNumber() {
        Workload web = workload(Workloads.deployment("shop", "web", "health2"));
        assertEquals(Map.of("8082", Map.of("mode", "PERMISSIVE")), spec(applied(plan(PERMISSIVE, web, V1, List.of())))
                .get("portLevelMtls"));
    }

    @Test
    void disableByConfiguration() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        PortExceptionPlanner disable = new PortExceptionPlanner(ExceptionMode.DISABLE, false, "istio-system");
        assertEquals(Map.of("8081", Map.of("mode", "DISABLE")),
                spec(applied(plan(disable, web, V1, List.of()))).get("portLevelMtls"));
    }

    @Test
    void twoContainersWithTwoHealthPortsGiveTwoEntries() {
        Deployment deployment = Workloads.portMode("shop", "web", "8081")
                .editSpec().editTemplate()
                .editMetadata().addToAnnotations("probe-rewriter.io/health-port.metrics", "9091").endMetadata()
                .editSpec().addToContainers(new ContainerBuilder().withName("metrics").withImage("example/metrics:1")
                        .addNewPort().withContainerPort(9090).endPort()
                        .addNewPort().withContainerPort(9091).endPort()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString(9090))
                        .endHttpGet().endReadinessProbe().build())
                .endSpec().endTemplate().endSpec().build();
        Workload web = workload(deployment);
        assertEquals(List.of(8081, 9091), healthPorts(web).stream().map(HealthPort::port).toList());
        assertEquals(Map.of("8081", Map.of("mode", "PERMISSIVE"), "9091", Map.of("mode", "PERMISSIVE")),
                spec(applied(plan(PERMISSIVE, web, V1, List.of()))).get("portLevelMtls"));
    }

    @Test
    void execModeNeedsNoException() {
        Deployment exec = Workloads.portMode("shop", "web", "8081").editSpec().editTemplate().editMetadata()
                .addToAnnotations("probe-rewriter.io/mode", "exec").endMetadata().endTemplate().endSpec().build();
        PortExceptionPlan plan = plan(PERMISSIVE, workload(exec), V1, List.of());
        assertEquals(List.of(), plan.changes());
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void theRootNamespaceIsRefusedWithAWarning() {
        Workload web = workload(Workloads.deployment("istio-system", "web", "8081"));
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, List.of());
        assertEquals(List.of(), plan.changes());
        assertEquals(List.of(PortExceptionPlanner.REASON_ROOT_NAMESPACE),
                plan.warnings().stream().map(PortExceptionPlan.Warning::reason).toList());
        assertTrue(plan.warnings().get(0).message().contains("8081"), plan.warnings().get(0).message());
    }

    @Test
    void aTemplateWithoutLabelsIsRefusedRatherThanExemptingTheWholeNamespace() {
        Deployment unlabelled = Workloads.portMode("shop", "web", "8081").editSpec().editTemplate().editMetadata()
                .withLabels(Map.of()).endMetadata().endTemplate().endSpec().build();
        PortExceptionPlan plan = plan(PERMISSIVE, workload(unlabelled), V1, List.of());
        assertEquals(List.of(), plan.changes());
        assertEquals(PortExceptionPlanner.REASON_NO_LABELS, plan.warnings().get(0).reason());
    }

    @Test
    void anUpToDatePolicyIsNotWrittenAgainAndAChangedPortIs() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource existing = applied(plan(PERMISSIVE, web, V1, List.of()));
        existing.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        assertEquals(List.of(), plan(PERMISSIVE, web, V1, List.of(existing)).changes());

        Workload moved = workload(Workloads.deployment("shop", "web", "8082"));
        GenericKubernetesResource updated = applied(plan(PERMISSIVE, moved, V1, List.of(existing)));
        assertEquals(Map.of("8082", Map.of("mode", "PERMISSIVE")), spec(updated).get("portLevelMtls"));
    }

    @Test
    void aPolicyNoLongerNeededIsDeleted() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource existing = applied(plan(PERMISSIVE, web, V1, List.of()));
        PortExceptionPlan plan = PERMISSIVE.plan(web, new TreeSet<>(HealthPort.ORDER), List.of(), V1, List.of(existing),
                List.of());
        PolicyChange.Delete delete = assertInstanceOf(PolicyChange.Delete.class, plan.changes().get(0));
        assertEquals(List.of("shop", "probe-rewriter-deployment-web"), List.of(delete.namespace(), delete.name()));
    }

    @Test
    void anOlderForeignPolicySelectingThePodsIsAConflictNamingBoth() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "web-strict",
                "2026-01-01T00:00:00Z", Map.of("app", "web"), "STRICT", null);
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, List.of(theirs));
        assertEquals(List.of(), plan.changes(), "ours would be ignored by Istio: not written");
        assertEquals(1, plan.warnings().size());
        PortExceptionPlan.Warning warning = plan.warnings().get(0);
        assertEquals(PortExceptionPlanner.REASON_CONFLICT, warning.reason());
        assertTrue(warning.message().contains("PeerAuthentication shop/web-strict"), warning.message());
        assertTrue(warning.message().contains("PeerAuthentication shop/probe-rewriter-deployment-web"), warning.message());
        assertTrue(warning.message().contains("8081: {mode: PERMISSIVE}"), warning.message());
    }

    @Test
    void anOlderForeignPolicyThatAlreadyExemptsTheHealthPortNeedsNothing() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "web-strict",
                "2026-01-01T00:00:00Z", Map.of("app", "web"), "STRICT", Map.of("8081", "DISABLE"));
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, List.of(theirs));
        assertEquals(List.of(), plan.changes());
        assertEquals(List.of(), plan.warnings());
    }

    /**
     * Istio matches a selector against the pod's labels, and Istio's injector puts service.istio.io/canonical-name on
     * every pod: an older policy selecting by it decides the workload's pods though the template lacks the label.
     */
    @Test
    void anOlderPolicySelectingByALabelOnlyThePodsCarryIsAConflictToo() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "web-strict",
                "2026-01-01T00:00:00Z", Map.of("service.istio.io/canonical-name", "web"), "STRICT", null);
        List<Pod> pods = List.of(pod("web-5d8f7-abcde", Map.of("service.istio.io/canonical-name", "web")),
                pod("web-5d8f7-fghij", Map.of("service.istio.io/canonical-name", "web")));
        PortExceptionPlan plan = PERMISSIVE.plan(web, healthPorts(web), pods, V1, List.of(theirs), List.of());
        assertEquals(List.of(), plan.changes(), "ours would be ignored by Istio on every pod: not written");
        assertEquals(List.of(PortExceptionPlanner.REASON_CONFLICT),
                plan.warnings().stream().map(PortExceptionPlan.Warning::reason).toList());
        assertTrue(plan.warnings().get(0).message().startsWith("PeerAuthentication shop/web-strict already selects the"
                + " pods of Deployment shop/web and is older"), plan.warnings().get(0).message());
        // The same policy letting the health port through makes the exception on every pod: nothing to add.
        GenericKubernetesResource exempting = Workloads.foreignPeerAuthentication("shop", "web-strict",
                "2026-01-01T00:00:00Z", Map.of("service.istio.io/canonical-name", "web"), "STRICT",
                Map.of("8081", "PERMISSIVE"));
        PortExceptionPlan exempted = PERMISSIVE.plan(web, healthPorts(web), pods, V1, List.of(exempting), List.of());
        assertEquals(List.of(), exempted.changes());
        assertEquals(List.of(), exempted.warnings());
    }

    /** An older policy for one pod (statefulset.kubernetes.io/pod-name): ours still serves the others. */
    @Test
    void anOlderPolicyForSomePodsLeavesOursForTheOthersAndNamesThePods() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "web-0-strict",
                "2026-01-01T00:00:00Z", Map.of("statefulset.kubernetes.io/pod-name", "web-0"), "STRICT", null);
        List<Pod> pods = List.of(pod("web-0", Map.of("statefulset.kubernetes.io/pod-name", "web-0")),
                pod("web-1", Map.of("statefulset.kubernetes.io/pod-name", "web-1")));
        PortExceptionPlan plan = PERMISSIVE.plan(web, healthPorts(web), pods, V1, List.of(theirs), List.of());
        applied(plan);
        assertEquals(1, plan.warnings().size());
        assertEquals(PortExceptionPlanner.REASON_CONFLICT, plan.warnings().get(0).reason());
        assertTrue(plan.warnings().get(0).message().startsWith("PeerAuthentication shop/web-0-strict selects Pod"
                + " shop/web-0 of Deployment shop/web and is older than PeerAuthentication"
                + " shop/probe-rewriter-deployment-web; Istio applies only the oldest workload policy, so"
                + " PeerAuthentication shop/probe-rewriter-deployment-web is ignored for those pods. Health port 8081"
                + " is not exempted from mTLS by a policy there"), plan.warnings().get(0).message());
    }

    /** A live pod of the workload: its template labels and those given. */
    private static Pod pod(String name, Map<String, String> podOnlyLabels) {
        Map<String, String> labels = new java.util.HashMap<>(Workloads.LABELS);
        labels.putAll(podOnlyLabels);
        return new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace("shop").withName(name)
                .withLabels(labels).endMetadata().build();
    }

    @Test
    void policiesThatDoNotSelectThePodsAreNoConflict() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        List<GenericKubernetesResource> others = List.of(
                Workloads.foreignPeerAuthentication("shop", "namespace-wide", "2026-01-01T00:00:00Z", null, "STRICT", null),
                Workloads.foreignPeerAuthentication("shop", "other-app", "2026-01-01T00:00:00Z", Map.of("app", "db"), "STRICT", null),
                Workloads.foreignPeerAuthentication("elsewhere", "same-labels", "2026-01-01T00:00:00Z", Map.of("app", "web"), "STRICT", null));
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, others);
        applied(plan);
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void aNewerForeignPolicyIsShadowedByOursAndTheWorkloadIsWarned() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource ours = applied(plan(PERMISSIVE, web, V1, List.of()));
        ours.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "web-strict",
                "2026-02-01T00:00:00Z", Map.of("app", "web"), "STRICT", null);
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, List.of(ours, theirs));
        assertEquals(List.of(), plan.changes(), "ours is in effect and up to date");
        assertEquals(List.of(PortExceptionPlanner.REASON_SHADOWS),
                plan.warnings().stream().map(PortExceptionPlan.Warning::reason).toList());
    }

    @Test
    void aPolicyOfOurNameThatIsNotOursIsLeftAlone() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        GenericKubernetesResource squatter = Workloads.foreignPeerAuthentication("shop", "probe-rewriter-deployment-web",
                "2026-01-01T00:00:00Z", Map.of("app", "web"), "STRICT", null);
        PortExceptionPlan plan = plan(PERMISSIVE, web, V1, List.of(squatter));
        assertEquals(List.of(), plan.changes());
        assertEquals(PortExceptionPlanner.REASON_NAME_TAKEN, plan.warnings().get(0).reason());
    }

    @Test
    void legacyPolicyTargetsTheServicesThatReachTheHealthPortWithoutPeers() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        PortExceptionPlanner legacy = new PortExceptionPlanner(ExceptionMode.PERMISSIVE, true, "istio-system");
        PortExceptionPlanner.Served both = new PortExceptionPlanner.Served(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), true);
        PortExceptionPlan plan = legacy.plan(web, healthPorts(web), List.of(), both, List.of(), List.of(
                Workloads.service("shop", "web", true),
                Workloads.service("shop", "web-internal", false),
                Workloads.service("other", "web", true)));
        Map<String, GenericKubernetesResource> written = plan.changes().stream()
                .map(c -> assertInstanceOf(PolicyChange.Apply.class, c).desired())
                .collect(Collectors.toMap(GenericKubernetesResource::getKind, r -> r));
        GenericKubernetesResource policy = written.get("Policy");
        assertEquals("authentication.istio.io/v1alpha1", policy.getApiVersion());
        assertEquals("probe-rewriter-deployment-web", policy.getMetadata().getName());
        assertEquals("probe-rewriter", policy.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("uid-web", policy.getMetadata().getOwnerReferences().get(0).getUid());
        // Service port 9000 sends to the container port named health, 8081; web-internal does not reach it.
        assertEquals(Map.of("targets", List.of(Map.of("name", "web", "ports", List.of(Map.of("number", 9000))))),
                spec(policy));
        assertTrue(written.containsKey("PeerAuthentication"));
    }

    @Test
    void legacyPolicyOnlyWhereConfiguredAndServed() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        PortExceptionPlanner.Served policyOnly = new PortExceptionPlanner.Served(Optional.empty(), true);
        List<io.fabric8.kubernetes.api.model.Service> services = List.of(Workloads.service("shop", "web", true));
        assertEquals(List.of(), PERMISSIVE.plan(web, healthPorts(web), List.of(), policyOnly, List.of(), services)
                .changes(), "not configured");
        PortExceptionPlanner legacy = new PortExceptionPlanner(ExceptionMode.PERMISSIVE, true, "istio-system");
        assertEquals(List.of(), legacy.plan(web, healthPorts(web), List.of(),
                new PortExceptionPlanner.Served(Optional.empty(), false), List.of(), services).changes(), "not served");
        PortExceptionPlan noService = legacy.plan(web, healthPorts(web), List.of(), policyOnly, List.of(), List.of());
        assertEquals(List.of(), noService.changes());
        assertEquals(PortExceptionPlanner.REASON_NO_SERVICE, noService.warnings().get(0).reason());
    }

    @Test
    void aTemplateRewrittenByTheCliStillGivesItsHealthPort() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        Pod rewritten = AppliedRewrite.apply(ENGINE.rewrite(web.pod(EXCLUSION), NamespaceContext.unknown("shop")), web.pod(EXCLUSION));
        Deployment fromCli = Workloads.portMode("shop", "web", "8081").editSpec().editTemplate()
                .withMetadata(rewritten.getMetadata()).editMetadata().withName(null).withNamespace(null).endMetadata()
                .withSpec(rewritten.getSpec()).endTemplate().endSpec().build();
        assertTrue(fromCli.getSpec().getTemplate().getMetadata().getAnnotations()
                .containsKey("probe-rewriter.io/original-probes"));
        assertEquals(List.of(8081), healthPorts(workload(fromCli)).stream().map(HealthPort::port).toList());
    }

    /**
     * A CLI-rewritten template whose probes the user then replaced with exec probes of their own: the record is stale,
     * so the originals are not put back, and no exception opens a health port that no probe uses any more.
     */
    @Test
    void aTemplateWhoseRewrittenProbesWereReplacedSinceGivesNoHealthPort() {
        Workload web = workload(Workloads.deployment("shop", "web", "8081"));
        Pod rewritten = AppliedRewrite.apply(ENGINE.rewrite(web.pod(EXCLUSION), NamespaceContext.unknown("shop")), web.pod(EXCLUSION));
        Probe own = new ProbeBuilder().withNewExec().withCommand("/bin/check-health").endExec().build();
        Deployment edited = Workloads.portMode("shop", "web", "8081").editSpec().editTemplate()
                .withMetadata(rewritten.getMetadata()).editMetadata().withName(null).withNamespace(null).endMetadata()
                .withSpec(rewritten.getSpec()).editSpec().editFirstContainer().withLivenessProbe(own)
                .withReadinessProbe(own).withStartupProbe(null).endContainer().endSpec().endTemplate().endSpec().build();
        assertTrue(edited.getSpec().getTemplate().getMetadata().getAnnotations()
                .containsKey("probe-rewriter.io/original-probes"));
        assertEquals(List.of(), healthPorts(workload(edited)).stream().map(HealthPort::port).toList());
    }

    /** Spring Boot's or Quarkus' management port already holding the probe: the exception is made all the same. */
    @Test
    void aProbeAlreadyOnTheHealthPortGetsTheException() {
        Workload onHealthPort = workload(onHealthPort(Workloads.portMode("shop", "web", "8081")).build());
        SortedSet<HealthPort> ports = healthPorts(onHealthPort);
        assertEquals(List.of(8081), ports.stream().map(HealthPort::port).toList());
        PortExceptionPlan plan = PERMISSIVE.plan(onHealthPort, ports, List.of(), V1, List.of(), List.of());
        assertEquals(1, plan.changes().size(), plan.toString());
    }

    @Test
    void aTemplateRewrittenByTheCliWithAProbeKeptOnItsHealthPortStillGivesIt() {
        // The Istio resolver, which reads the exclusion annotation the CLI added: restoring the originals must take
        // the kept probe's port out of it again, or the port would look excluded and need no exception.
        MeshPolicies strict = MeshPolicies.builder().rewriteAppProbesByDefault(false)
                .policies(List.of(Workloads.meshStrict())).build();
        ProbeRewriter istio = new ProbeRewriter(ANY_HEALTH_PORT, new IstioMtlsOracle(strict));
        Workload web = workload(onHealthPort(Workloads.portMode("shop", "web", "8081")).build());
        Pod rewritten = AppliedRewrite.apply(istio.rewrite(web.pod(EXCLUSION), NamespaceContext.unknown("shop")), web.pod(EXCLUSION));
        assertEquals("8081", rewritten.getMetadata().getAnnotations().get(EXCLUSION.get(0)));
        Deployment fromCli = onHealthPort(Workloads.portMode("shop", "web", "8081")).editSpec().editTemplate()
                .withMetadata(rewritten.getMetadata()).editMetadata().withName(null).withNamespace(null).endMetadata()
                .endTemplate().endSpec().build();
        Pod restored = workload(fromCli).pod(EXCLUSION);
        assertFalse(restored.getMetadata().getAnnotations().containsKey(EXCLUSION.get(0)), "the exclusion we added");
        assertEquals(List.of(8081), HealthPort.of(istio.rewrite(restored, NamespaceContext.unknown("shop")))
                .stream().map(HealthPort::port).toList());
    }

    private static DeploymentBuilder onHealthPort(DeploymentBuilder deployment) {
        return deployment.editSpec().editTemplate().editSpec().editFirstContainer().editLivenessProbe().editHttpGet()
                .withPort(new IntOrString("health")).endHttpGet().endLivenessProbe().endContainer().endSpec()
                .endTemplate().endSpec();
    }

    @Test
    void longNamesAreCutToAValidName() {
        Workload longName = workload(Workloads.deployment("shop", "w".repeat(250), "8081"));
        String name = PortExceptionPlanner.policyName(longName);
        assertTrue(name.length() <= 253, name);
        assertTrue(name.startsWith("probe-rewriter-deployment-www"), name);
    }
}
