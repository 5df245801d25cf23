package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod's quality of service class as the API server will work it out when it stores the pod, after the webhooks
 * (Kubernetes' {@code GetPodQOS}): Guaranteed where every container, init containers included, has CPU and memory
 * limits and the pod's requests of both add up to its limits. The prober's init container asks for less than it may
 * use; added to a Guaranteed pod as it is, it would make the pod Burstable, which costs it the exclusive cores of the
 * kubelet's static CPU manager and its place in the order of eviction. In such a pod it asks for its limits.
 *
 * <p>A pod with pod-level resources ({@code spec.resources}) takes its class from them, and no container changes it.
 *
 * <p>A BestEffort pod (no container, init containers and native sidecars included, and no pod-level resources asking
 * for CPU or memory) gets an init container that asks for none either: one that did would make the pod Burstable, move
 * it out of the quotas scoped {@code BestEffort} into those scoped {@code NotBestEffort}, and a quota there that tracks
 * {@code requests.cpu} or {@code limits.memory} refuses it for the app's containers, which name neither.
 */
final class PodQos {

    private static final List<String> COMPUTE = List.of("cpu", "memory");

    private PodQos() {
    }

    /**
     * Whether the pod, as sent, is BestEffort: nothing in it asks for CPU or memory, neither a container (app, init,
     * native sidecar) nor the pod-level resources. As Kubernetes counts it, only amounts above zero ask; other
     * resources ({@code ephemeral-storage}, extended resources) do not count. Where the pod-level resources name
     * neither CPU nor memory but a container does, Kubernetes 1.32 and later may call the pod BestEffort by its
     * pod-level resources alone; this says no, and the init container's own resources change nothing there.
     */
    static boolean bestEffort(PodSpec spec) {
        if (spec.getResources() != null && asksForCompute(spec.getResources())) {
            return false;
        }
        for (List<Container> containers : Arrays.asList(spec.getContainers(), spec.getInitContainers())) {
            if (containers == null) {
                continue;
            }
            for (Container container : containers) {
                if (container != null && container.getResources() != null
                        && asksForCompute(container.getResources())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code resources} request or limit CPU or memory, by an amount above zero. */
    private static boolean asksForCompute(ResourceRequirements resources) {
        for (Map<String, Quantity> values : Arrays.asList(resources.getRequests(), resources.getLimits())) {
            if (values == null) {
                continue;
            }
            for (String resource : COMPUTE) {
                Quantity quantity = values.get(resource);
                if (quantity == null) {
                    continue;
                }
                // An amount that cannot be read counts as asking: the init container then keeps its resources.
                BigDecimal amount = ContainerLimits.amount(quantity);
                if (amount == null || amount.signum() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the pod, as sent, is Guaranteed by its containers' resources. */
    static boolean guaranteedByContainers(PodSpec spec) {
        ResourceRequirements podLevel = spec.getResources();
        if (podLevel != null && (notEmpty(podLevel.getRequests()) || notEmpty(podLevel.getLimits()))) {
            return false;
        }
        List<Container> all = new ArrayList<>();
        if (spec.getContainers() != null) {
            all.addAll(spec.getContainers());
        }
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        Map<String, BigDecimal> requests = new HashMap<>();
        Map<String, BigDecimal> limits = new HashMap<>();
        for (Container container : all) {
            if (container == null) {
                continue;
            }
            ResourceRequirements resources = container.getResources();
            Map<String, Quantity> containerLimits = resources == null ? null : resources.getLimits();
            for (String resource : COMPUTE) {
                BigDecimal limit = containerLimits == null ? null : ContainerLimits.amount(containerLimits.get(resource));
                if (limit == null || limit.signum() == 0) {
                    return false;
                }
                limits.merge(resource, limit, BigDecimal::add);
                // The API server defaults a missing request to the limit before any webhook sees the pod.
                Map<String, Quantity> containerRequests = resources.getRequests();
                BigDecimal request = containerRequests == null ? null
                        : ContainerLimits.amount(containerRequests.get(resource));
                requests.merge(resource, request == null ? limit : request, BigDecimal::add);
            }
        }
        if (limits.isEmpty()) {
            return false;
        }
        for (String resource : COMPUTE) {
            if (requests.get(resource).compareTo(limits.get(resource)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code resources} asking for its CPU and memory limits: a container that keeps a Guaranteed pod Guaranteed. */
    static ResourceRequirements requestingLimits(ResourceRequirements resources) {
        Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
        Map<String, Quantity> requests = new java.util.TreeMap<>(
                resources.getRequests() == null ? Map.of() : resources.getRequests());
        boolean changed = false;
        for (String resource : COMPUTE) {
            Quantity limit = limits.get(resource);
            if (limit != null && !limit.equals(requests.get(resource))) {
                requests.put(resource, limit);
                changed = true;
            }
        }
        if (!changed) {
            return resources;
        }
        ResourceRequirements guaranteed = new ResourceRequirements(resources.getClaims(), resources.getLimits(),
                requests);
        resources.getAdditionalProperties().forEach(guaranteed::setAdditionalProperty);
        return guaranteed;
    }

    private static boolean notEmpty(Map<String, Quantity> values) {
        return values != null && !values.isEmpty();
    }
}
