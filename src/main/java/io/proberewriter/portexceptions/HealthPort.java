package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.Action;
import io.proberewriter.engine.ContainerSection;
import io.proberewriter.engine.ProbeReplacement;
import io.proberewriter.engine.RewriteResult;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A plaintext health port the engine moved a probe to, read from the engine's own result so that the operator
 * never disagrees with the webhook about which port that is.
 *
 * @param port      the container port number ({@code portLevelMtls} keys are numbers, never names)
 * @param container the container that serves it, for messages
 */
record HealthPort(int port, String container) {

    static final Comparator<HealthPort> ORDER = Comparator.comparingInt(HealthPort::port)
            .thenComparing(HealthPort::container);

    /** The health ports of the probes converted to port mode in {@code result}, which the engine made from {@code pod}. */
    static SortedSet<HealthPort> of(Pod pod, RewriteResult result) {
        SortedSet<HealthPort> ports = new TreeSet<>(ORDER);
        for (ProbeReplacement replacement : result.replacements()) {
            boolean portMode = result.decisions().stream().anyMatch(d -> d.action() == Action.REWRITTEN_PORT
                    && d.container().equals(replacement.container()) && d.kind() == replacement.kind());
            if (!portMode) {
                continue;
            }
            containerOf(pod, replacement).flatMap(c -> number(replacement.probe(), c))
                    .ifPresent(port -> ports.add(new HealthPort(port, replacement.container().name())));
        }
        return ports;
    }

    private static Optional<Container> containerOf(Pod pod, ProbeReplacement replacement) {
        List<Container> list = replacement.container().section() == ContainerSection.CONTAINERS
                ? pod.getSpec().getContainers() : pod.getSpec().getInitContainers();
        int index = replacement.container().index();
        return list == null || index >= list.size() ? Optional.empty() : Optional.ofNullable(list.get(index));
    }

    /** The engine keeps a named health port as a name (the kubelet resolves it); the policy needs the number. */
    private static Optional<Integer> number(Probe probe, Container container) {
        if (probe.getHttpGet() == null || probe.getHttpGet().getPort() == null) {
            return Optional.empty();
        }
        IntOrString port = probe.getHttpGet().getPort();
        if (port.getIntVal() != null) {
            return Optional.of(port.getIntVal());
        }
        List<ContainerPort> declared = container.getPorts() == null ? List.of() : container.getPorts();
        return declared.stream().filter(p -> p != null && port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).filter(p -> p != null).findFirst();
    }
}
