package io.proberewriter.portexceptions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.EngineOutput;
import io.proberewriter.engine.InterceptionExclusion;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.json.Mappers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A top-level controller (Deployment, StatefulSet, DaemonSet) as the port exceptions see it: who it is, for the
 * owner reference and the policy's name, and its pod template, for the engine and the selector.
 *
 * @param apiVersion      {@code apps/v1}
 * @param templateLabels  the pod template's labels: every pod the controller creates carries them
 */
record Workload(String apiVersion, String kind, String namespace, String name, String uid,
                Map<String, String> templateLabels, PodTemplateSpec template) {

    private static final ObjectMapper JSON = Mappers.TREES;

    Workload {
        templateLabels = templateLabels == null ? Map.of() : Map.copyOf(templateLabels);
    }

    static Workload of(HasMetadata controller, PodTemplateSpec template) {
        Map<String, String> labels = template == null || template.getMetadata() == null
                ? Map.of() : template.getMetadata().getLabels();
        return new Workload(controller.getApiVersion(), controller.getKind(), controller.getMetadata().getNamespace(),
                controller.getMetadata().getName(), controller.getMetadata().getUid(), labels, template);
    }

    /** The number of the template's container port of that name (containers and init containers). */
    Optional<Integer> declaredPort(String name) {
        if (template == null || template.getSpec() == null) {
            return Optional.empty();
        }
        List<Container> containers = new ArrayList<>();
        Optional.ofNullable(template.getSpec().getContainers()).ifPresent(containers::addAll);
        Optional.ofNullable(template.getSpec().getInitContainers()).ifPresent(containers::addAll);
        return containers.stream().filter(c -> c != null && c.getPorts() != null)
                .flatMap(c -> c.getPorts().stream())
                .filter(p -> p != null && name.equals(p.getName()) && p.getContainerPort() != null)
                .map(ContainerPort::getContainerPort).findFirst();
    }

    /** {@code Deployment shop/web}, for messages. */
    String display() {
        return kind + " " + namespace + "/" + name;
    }

    /**
     * The pod the controller would create, before admission: namespace from the controller, labels, annotations
     * and spec from the template. A template that already went through {@code rewrite} (the CLI) carries its
     * original probes in {@code probe-rewriter.io/original-probes}: they are put back, so that the engine decides
     * on what the user wrote rather than skipping probes as "already rewritten" and losing their health ports. A
     * probe recorded there but unchanged was kept on its health port, whose exclusion from interception
     * ({@code exclusionAnnotations}) that rewrite added: it is taken out again, or the engine would find the port
     * bypassing the sidecar and see no exception to make. A recorded probe edited since (no longer what the engine
     * wrote: {@link EngineOutput}) stays as it is, as the webhook decides on it.
     */
    Pod pod(List<String> exclusionAnnotations) {
        ObjectMeta templateMeta = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(namespace);
        meta.setName(name);
        meta.setLabels(templateMeta.getLabels() == null ? null : new LinkedHashMap<>(templateMeta.getLabels()));
        meta.setAnnotations(templateMeta.getAnnotations() == null ? null : new LinkedHashMap<>(templateMeta.getAnnotations()));
        Pod pod = new Pod("v1", "Pod", meta, copy(template == null ? null : template.getSpec()), null);
        restoreOriginals(pod, exclusionAnnotations);
        return pod;
    }

    private static PodSpec copy(PodSpec spec) {
        return spec == null ? null : JSON.convertValue(spec, PodSpec.class);
    }

    private static void restoreOriginals(Pod pod, List<String> exclusionAnnotations) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(Annotations.ORIGINAL_PROBES) || pod.getSpec() == null) {
            return;
        }
        Optional<Map<String, Probe>> originals = parse(annotations.get(Annotations.ORIGINAL_PROBES));
        if (originals.isEmpty()) {
            // Unreadable: leave it, the engine then leaves the pod alone and says why.
            return;
        }
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            containers.addAll(pod.getSpec().getInitContainers());
        }
        if (pod.getSpec().getContainers() != null) {
            containers.addAll(pod.getSpec().getContainers());
        }
        for (Map.Entry<String, Probe> entry : originals.get().entrySet()) {
            int slash = entry.getKey().lastIndexOf('/');
            if (slash < 0) {
                continue;
            }
            String containerName = entry.getKey().substring(0, slash);
            Optional<ProbeKind> kind = ProbeKind.fromWord(entry.getKey().substring(slash + 1));
            if (kind.isEmpty()) {
                continue;
            }
            for (Container container : containers) {
                if (container == null || !containerName.equals(container.getName())) {
                    continue;
                }
                Probe current = kind.get().get(container);
                boolean kept = samePort(entry.getValue(), current);
                if (current != null && !kept && !EngineOutput.rewriteOf(current, entry.getValue(), container)) {
                    // Edited since (the user's own exec, another request): the engine decides on the probe as it is,
                    // as the webhook does, and no exception is made for a port that no probe uses any more.
                    continue;
                }
                if (kept) {
                    keptOnHealthPort(entry.getValue(), container)
                            .ifPresent(port -> exclusionAnnotations.forEach(key -> annotations.computeIfPresent(key,
                                    (k, value) -> InterceptionExclusion.without(value, port))));
                }
                kind.get().set(container, entry.getValue());
            }
        }
        annotations.remove(Annotations.ORIGINAL_PROBES);
        annotations.remove(Annotations.STATUS);
    }

    /**
     * Whether an httpGet probe still targets the port it was recorded with. Not {@code equals}: the API server
     * fills in defaults (scheme, timeouts) on the template that the recorded original does not have.
     */
    private static boolean samePort(Probe original, Probe current) {
        return original != null && current != null && original.getHttpGet() != null && current.getHttpGet() != null
                && original.getHttpGet().getPort() != null
                && original.getHttpGet().getPort().equals(current.getHttpGet().getPort());
    }

    /** The port number of an httpGet probe, a name resolved against its container. */
    private static Optional<Integer> keptOnHealthPort(Probe probe, Container container) {
        if (probe.getHttpGet() == null || probe.getHttpGet().getPort() == null) {
            return Optional.empty();
        }
        IntOrString port = probe.getHttpGet().getPort();
        if (port.getIntVal() != null) {
            return Optional.of(port.getIntVal());
        }
        return container.getPorts() == null ? Optional.empty() : container.getPorts().stream()
                .filter(p -> p != null && port.getStrVal().equals(p.getName()) && p.getContainerPort() != null)
                .map(ContainerPort::getContainerPort).findFirst();
    }

    private static Optional<Map<String, Probe>> parse(String annotation) {
        try {
            return Optional.ofNullable(JSON.readValue(annotation, new TypeReference<LinkedHashMap<String, Probe>>() {
            }));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
