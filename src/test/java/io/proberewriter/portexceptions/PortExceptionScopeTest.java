package io.proberewriter.portexceptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How far a port-level exception may reach: no Service's port, and exactly the workload's pods. */
class PortExceptionScopeTest {

    private static final Workload WEB = workload(Workloads.deployment("shop", "web", "8081"));

    private static Workload workload(Deployment deployment) {
        Deployment withKind = new DeploymentBuilder(deployment).withApiVersion("apps/v1").withKind("Deployment").build();
        return Workload.of(withKind, withKind.getSpec().getTemplate());
    }

    private static SortedSet<HealthPort> ports(int... numbers) {
        SortedSet<HealthPort> set = new TreeSet<>(HealthPort.ORDER);
        for (int n : numbers) {
            set.add(new HealthPort(n, "app"));
        }
        return set;
    }

    private static Service service(String namespace, Map<String, String> selector, IntOrString targetPort) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName("web").endMetadata()
                .withNewSpec().withSelector(selector)
                .addToPorts(new ServicePortBuilder().withName("http").withPort(80).withTargetPort(targetPort).build())
                .endSpec().build();
    }

    @Test
    void aPortTheAppsServiceSendsTrafficToIsNoHealthPort() {
        List<PortExceptionPlan.Warning> warnings = new ArrayList<>();
        // Workloads.service: 80 -> 8000 (the app) and 9000 -> "health" (8081 in the template).
        SortedSet<HealthPort> kept = PortExceptionScope.withoutServingPorts(WEB, ports(8081, 8082),
                List.of(Workloads.service("shop", "web", true)), warnings);
        assertEquals(List.of(8082), kept.stream().map(HealthPort::port).toList());
        assertEquals(1, warnings.size());
        assertEquals(PortExceptionScope.REASON_SERVING_PORT, warnings.get(0).reason());
        assertTrue(warnings.get(0).message().startsWith("health port 8081 of Deployment shop/web receives the traffic"
                + " of Service shop/web, which also sends to the app's other ports"), warnings.get(0).message());
    }

    @Test
    void aServiceOfTheHealthPortsAloneIsAllowed() {
        List<PortExceptionPlan.Warning> warnings = new ArrayList<>();
        SortedSet<HealthPort> kept = PortExceptionScope.withoutServingPorts(WEB, ports(8081),
                List.of(service("shop", Map.of("app", "web"), new IntOrString("health"))), warnings);
        assertEquals(ports(8081), kept);
        assertEquals(List.of(), warnings);
    }

    @Test
    void servicesElsewhereOrForOtherPodsDoNotCount() {
        List<PortExceptionPlan.Warning> warnings = new ArrayList<>();
        List<Service> unrelated = List.of(service("other", Map.of("app", "web"), new IntOrString(8081)),
                service("shop", Map.of("app", "api"), new IntOrString(8081)),
                service("shop", Map.of("app", "web"), new IntOrString(8000)));
        assertEquals(ports(8081), PortExceptionScope.withoutServingPorts(WEB, ports(8081), unrelated, warnings));
        assertEquals(List.of(), warnings);
    }

    @Test
    void anotherWorkloadWithTheSameLabelsIsAnOverlap() {
        Workload canary = workload(new DeploymentBuilder(Workloads.deployment("shop", "web-canary", "8081"))
                .editMetadata().withUid("uid-canary").endMetadata()
                .editSpec().editTemplate().editMetadata().addToLabels("track", "canary").endMetadata().endTemplate()
                .endSpec().build());
        Optional<PortExceptionPlan.Warning> overlap = PortExceptionScope.overlap(WEB, List.of(WEB, canary), List.of(),
                pod -> true);
        assertTrue(overlap.isPresent());
        assertEquals(PortExceptionScope.REASON_OVERLAP, overlap.get().reason());
        assertTrue(overlap.get().message().contains("are also on Deployment shop/web-canary"), overlap.get().message());
        // The canary's own labels are a superset: a policy for the canary selects only the canary.
        assertEquals(Optional.empty(), PortExceptionScope.overlap(canary, List.of(WEB, canary), List.of(), pod -> true));
    }

    @Test
    void aPodOfSomeoneElseWithTheLabelsIsAnOverlapAndOwnPodsAreNot() {
        Pod stray = new PodBuilder().withNewMetadata().withNamespace("shop").withName("debug")
                .withLabels(Workloads.LABELS).endMetadata().build();
        Pod own = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-1").withLabels(Workloads.LABELS)
                .endMetadata().build();
        assertEquals(Optional.empty(), PortExceptionScope.overlap(WEB, List.of(WEB), List.of(own), pod -> true));
        Optional<PortExceptionPlan.Warning> overlap = PortExceptionScope.overlap(WEB, List.of(WEB),
                List.of(own, stray), pod -> pod == own);
        assertTrue(overlap.orElseThrow().message().contains("Pod shop/debug"), overlap.toString());
    }

    /** Istio's sidecar no longer runs in a finished pod, and a terminating one is on its way out. */
    @Test
    void finishedAndTerminatingPodsWithTheLabelsAreNoOverlap() {
        Pod migrated = strayPod("web-migrate-x7").withNewStatus().withPhase("Succeeded").endStatus().build();
        Pod evicted = strayPod("web-evicted").withNewStatus().withPhase("Failed").endStatus().build();
        Pod leaving = strayPod("web-old").editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewStatus().withPhase("Running").endStatus().build();
        List<Pod> checked = new ArrayList<>();
        assertEquals(Optional.empty(), PortExceptionScope.overlap(WEB, List.of(WEB), List.of(migrated, evicted, leaving),
                pod -> {
                    checked.add(pod);
                    return false;
                }));
        assertEquals(List.of(), checked, "no owner looked up for a pod that does not count");
        Pod pending = strayPod("web-next").withNewStatus().withPhase("Pending").endStatus().build();
        assertTrue(PortExceptionScope.overlap(WEB, List.of(WEB), List.of(migrated, pending), pod -> false)
                .orElseThrow().message().contains("Pod shop/web-next"));
    }

    private static PodBuilder strayPod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withLabels(Workloads.LABELS)
                .endMetadata();
    }

    @Test
    void ourPolicyForAnotherWorkloadThatSelectsThisOneMustGo() {
        GenericKubernetesResource forWeb = Workloads.foreignPeerAuthentication("shop", "probe-rewriter-deployment-web",
                null, Map.of("app", "web"), "UNSET", Map.of("8081", "PERMISSIVE"));
        forWeb.getMetadata().setLabels(Map.of(PortExceptionPlanner.MANAGED_BY_LABEL, PortExceptionPlanner.MANAGED_BY));
        forWeb.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withKind("Deployment")
                .withName("web").withUid("uid-web").build()));
        Workload newcomer = workload(new DeploymentBuilder(Workloads.deployment("shop", "newcomer", "8081"))
                .editMetadata().withUid("uid-newcomer").endMetadata().build());
        assertEquals(List.of(forWeb), PortExceptionScope.reachingInto(newcomer, List.of(forWeb)));
        Workload web = workload(new DeploymentBuilder(Workloads.deployment("shop", "web", "8081"))
                .editMetadata().withUid("uid-web").endMetadata().build());
        assertEquals(List.of(), PortExceptionScope.reachingInto(web, List.of(forWeb)), "its own");
        GenericKubernetesResource foreign = Workloads.foreignPeerAuthentication("shop", "someone-elses", null,
                Map.of("app", "web"), "STRICT", null);
        assertEquals(List.of(), PortExceptionScope.reachingInto(newcomer, List.of(foreign)), "not ours to delete");
    }
}
