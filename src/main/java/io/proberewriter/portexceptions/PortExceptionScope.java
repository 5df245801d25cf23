package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.proberewriter.engine.PodLifecycle;
import io.proberewriter.mtls.IstioKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * How far a port-level exception may reach. A policy that makes a port PERMISSIVE is written under the operator's
 * ServiceAccount, so it must not become a way around whoever controls PeerAuthentications: it exempts only health
 * ports no Service sends traffic to, and it selects exactly the pods of the workload it was made for. Pure: what the
 * cluster holds comes in as arguments.
 */
final class PortExceptionScope {

    static final String REASON_SERVING_PORT = "PortExceptionServingPort";
    static final String REASON_OVERLAP = "PortExceptionOverlap";

    private PortExceptionScope() {
    }

    /**
     * The health ports without those an app's Service sends traffic to: a Service selecting the workload's pods that
     * routes to the health port and to a port that is no health port serves the app through both, and exempting the
     * health port would take part of the app's traffic out of mTLS. A Service of the health ports alone is allowed:
     * it is how a v1alpha1 Policy, which can only name service ports, reaches them. One warning per refused port.
     */
    static SortedSet<HealthPort> withoutServingPorts(Workload workload, SortedSet<HealthPort> healthPorts,
                                                      List<Service> services,
                                                      List<PortExceptionPlan.Warning> warnings) {
        Set<Integer> health = new HashSet<>();
        healthPorts.forEach(hp -> health.add(hp.port()));
        SortedSet<HealthPort> kept = new TreeSet<>(HealthPort.ORDER);
        for (HealthPort healthPort : healthPorts) {
            Optional<String> service = appService(workload, healthPort.port(), health, services);
            if (service.isPresent()) {
                warnings.add(new PortExceptionPlan.Warning(REASON_SERVING_PORT, "health port " + healthPort.port()
                        + " of " + workload.display() + " receives the traffic of " + service.get() + ", which"
                        + " also sends to the app's other ports: it serves the app, so no port-level exception is"
                        + " written for it; serve health checks on a port no app Service targets"));
            } else {
                kept.add(healthPort);
            }
        }
        return kept;
    }

    private static Optional<String> appService(Workload workload, int port, Set<Integer> healthPorts,
                                               List<Service> services) {
        return services.stream()
                .filter(s -> s.getMetadata() != null && workload.namespace().equals(s.getMetadata().getNamespace()))
                .filter(s -> s.getSpec() != null && s.getSpec().getSelector() != null
                        && !s.getSpec().getSelector().isEmpty()
                        && workload.templateLabels().entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .filter(s -> {
                    Set<Integer> targets = new HashSet<>();
                    (s.getSpec().getPorts() == null ? List.<ServicePort>of() : s.getSpec().getPorts()).stream()
                            .filter(Objects::nonNull)
                            .forEach(p -> targetPort(p, workload).ifPresent(targets::add));
                    return targets.contains(port) && !healthPorts.containsAll(targets);
                })
                .map(s -> "Service " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                .findFirst();
    }

    /** The container port a service port sends to; a named targetPort is looked up in the template's containers. */
    static Optional<Integer> targetPort(ServicePort port, Workload workload) {
        IntOrString target = port.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return Optional.ofNullable(port.getPort());
        }
        if (target.getIntVal() != null) {
            return Optional.of(target.getIntVal());
        }
        if (target.getStrVal().matches("\\d{1,5}")) {
            return Optional.of(Integer.parseInt(target.getStrVal()));
        }
        return workload.declaredPort(target.getStrVal());
    }

    /**
     * Why a policy selecting the workload's template labels would reach pods that are not the workload's: another
     * workload of the namespace whose template carries every one of those labels, or a pod that matches them and
     * does not belong to the workload. Empty when the selector is exact.
     *
     * @param others       the namespace's other Deployments, StatefulSets and DaemonSets
     * @param matchingPods the pods of the namespace that carry every template label; those no longer running
     *                     ({@link #live}) are passed over
     * @param ownPod       whether a pod belongs to the workload (its controller chain leads to it)
     */
    static Optional<PortExceptionPlan.Warning> overlap(Workload workload, List<Workload> others,
                                                        List<Pod> matchingPods, Predicate<Pod> ownPod) {
        Map<String, String> selector = workload.templateLabels();
        if (selector.isEmpty()) {
            return Optional.empty();
        }
        List<String> reached = new ArrayList<>();
        others.stream()
                .filter(o -> !Objects.equals(o.uid(), workload.uid()))
                .filter(o -> o.templateLabels().entrySet().containsAll(selector.entrySet()))
                .map(Workload::display).sorted().forEach(reached::add);
        matchingPods.stream()
                .filter(PortExceptionScope::live)
                .filter(p -> !ownPod.test(p))
                .map(p -> "Pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
                .sorted().forEach(reached::add);
        if (reached.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PortExceptionPlan.Warning(REASON_OVERLAP, "the pod template labels of "
                + workload.display() + " " + selector + " are also on " + String.join(", ", reached.subList(0,
                Math.min(reached.size(), 5))) + (reached.size() > 5 ? " and " + (reached.size() - 5) + " more" : "")
                + ": a port-level exception selecting them would reach those pods too, so none is written; give the"
                + " workload a label of its own"));
    }

    /**
     * Whether a pod is one a policy still acts on: not finished and not being deleted. A pod that has Succeeded or
     * Failed (a Job's pod with the app's labels, an evicted one) runs no sidecar any more, and a terminating one is
     * being shut down, reached for its grace period at most; counting them would withhold, or delete, a workload's
     * exception for as long as such a pod is kept around.
     */
    static boolean live(Pod pod) {
        return !PodLifecycle.terminating(pod) && PodLifecycle.finishedPhase(pod).isEmpty();
    }

    /**
     * Our policies in the workload's namespace, made for another workload, whose selector also selects this
     * workload's pods: they must go, since they reach pods they were not made for (their own workload is warned
     * when it is next reconciled, and gets none while the overlap lasts).
     */
    static List<GenericKubernetesResource> reachingInto(Workload workload, List<GenericKubernetesResource> policies) {
        return policies.stream()
                .filter(PortExceptionPlanner::managed)
                .filter(p -> p.getMetadata() != null && workload.namespace().equals(p.getMetadata().getNamespace()))
                .filter(p -> !ownedBy(p, workload))
                .filter(p -> selectsAll(p, workload.templateLabels()))
                .toList();
    }

    private static boolean ownedBy(GenericKubernetesResource policy, Workload workload) {
        List<OwnerReference> owners = policy.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> Objects.equals(o.getUid(), workload.uid()));
    }

    private static boolean selectsAll(GenericKubernetesResource policy, Map<String, String> labels) {
        Object spec = policy.getAdditionalProperties().get("spec");
        Object selector = spec instanceof Map<?, ?> s ? s.get("selector") : null;
        Object matchLabels = selector instanceof Map<?, ?> m ? m.get("matchLabels") : null;
        if (!(matchLabels instanceof Map<?, ?> wanted) || wanted.isEmpty()) {
            return false;
        }
        return wanted.entrySet().stream().allMatch(e -> e.getKey() instanceof String key
                && Objects.equals(labels.get(key), e.getValue()));
    }

    /** The kind a managed policy is, for its deletion. */
    static Optional<IstioKind> kindOf(GenericKubernetesResource policy, PortExceptionPlanner.Served served) {
        if (IstioKind.PEER_AUTHENTICATION_V1.kind().equals(policy.getKind())) {
            return served.peerAuthentication();
        }
        return Optional.empty();
    }
}
