package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pod that sets pod-level resources ({@code spec.resources}, Kubernetes 1.32 and later) is validated after the
 * webhooks have run: its requests must cover every init container's request, and no container's limit may pass the
 * pod's. The prober's init container asks for little, but a small pod's budget can be smaller still
 * ({@code cpu: 50m}): its request and limit are then lowered to the pod's, or the pod would be refused.
 */
final class PodResourceBudget {

    private PodResourceBudget() {
    }

    /** {@code container} within {@code pod}'s requests and limits; the same object when it already is. */
    static ResourceRequirements within(ResourceRequirements container, ResourceRequirements pod) {
        if (pod == null || (empty(pod.getRequests()) && empty(pod.getLimits()))) {
            return container;
        }
        Map<String, Quantity> requests = new TreeMap<>(orEmpty(container.getRequests()));
        Map<String, Quantity> limits = new TreeMap<>(orEmpty(container.getLimits()));
        boolean changed = lower(limits, orEmpty(pod.getLimits()));
        changed |= lower(requests, orEmpty(pod.getRequests()));
        changed |= lower(requests, limits);
        if (!changed) {
            return container;
        }
        ResourceRequirements lowered = new ResourceRequirements(container.getClaims(), limits, requests);
        container.getAdditionalProperties().forEach(lowered::setAdditionalProperty);
        return lowered;
    }

    /** Each of {@code values} above its bound lowered to it; whether any was. */
    private static boolean lower(Map<String, Quantity> values, Map<String, Quantity> bounds) {
        boolean changed = false;
        for (Map.Entry<String, Quantity> value : values.entrySet()) {
            BigDecimal bound = ContainerLimits.amount(bounds.get(value.getKey()));
            BigDecimal amount = ContainerLimits.amount(value.getValue());
            if (bound != null && amount != null && amount.compareTo(bound) > 0) {
                value.setValue(bounds.get(value.getKey()));
                changed = true;
            }
        }
        return changed;
    }

    private static boolean empty(Map<String, Quantity> map) {
        return map == null || map.isEmpty();
    }

    private static Map<String, Quantity> orEmpty(Map<String, Quantity> map) {
        return map == null ? Map.of() : map;
    }
}
