package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pod can only run on Windows nodes, where the prober (a Linux executable) cannot run and its image has
 * nothing to pull: the init container that copies it would keep the pod from starting. Pods say so in three ways:
 * {@code spec.os.name} (Kubernetes 1.25 on), and, in every cluster with Windows nodes before it and still in most
 * charts, the node's OS label in the node selector or in the required node affinity.
 */
final class WindowsPod {

    /** The label the kubelet sets on every node, and the name it had before Kubernetes 1.14. */
    private static final List<String> OS_LABELS = List.of("kubernetes.io/os", "beta.kubernetes.io/os");
    private static final String WINDOWS = "windows";

    private WindowsPod() {
    }

    /** What says the pod runs on Windows, or empty when it may run on Linux. */
    static Optional<String> evidence(PodSpec spec) {
        if (spec.getOs() != null && WINDOWS.equalsIgnoreCase(spec.getOs().getName())) {
            return Optional.of("spec.os.name");
        }
        Map<String, String> nodeSelector = spec.getNodeSelector();
        if (nodeSelector != null) {
            for (String label : OS_LABELS) {
                if (WINDOWS.equals(nodeSelector.get(label))) {
                    return Optional.of("nodeSelector " + label + ": " + WINDOWS);
                }
            }
        }
        return requiredAffinityIsWindowsOnly(spec.getAffinity())
                ? Optional.of("its required node affinity, which selects Windows nodes only")
                : Optional.empty();
    }

    /** The scheduler places a pod on a node that matches any one term: each must require Windows. */
    private static boolean requiredAffinityIsWindowsOnly(Affinity affinity) {
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return false;
        }
        NodeSelector required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null || required.getNodeSelectorTerms() == null
                || required.getNodeSelectorTerms().isEmpty()) {
            return false;
        }
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
            if (term == null || !requiresWindows(term.getMatchExpressions())) {
                return false;
            }
        }
        return true;
    }

    private static boolean requiresWindows(List<NodeSelectorRequirement> expressions) {
        if (expressions == null) {
            return false;
        }
        for (NodeSelectorRequirement expression : expressions) {
            // Read as the model holds it, fields unset included (List.of refuses to look for null).
            if (expression != null && expression.getKey() != null && OS_LABELS.contains(expression.getKey())
                    && "In".equals(expression.getOperator()) && expression.getValues() != null
                    && !expression.getValues().isEmpty()
                    && expression.getValues().stream().allMatch(WINDOWS::equals)) {
                return true;
            }
        }
        return false;
    }
}
