package io.proberewriter.meshes;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The container ports of a pod (containers and init containers), indexed once per pod: resolvers look a port up for
 * every probe, and a pod may have tens of thousands of containers, so a scan per look-up would make a pod's cost grow
 * with probes × containers.
 */
public final class PodPorts {

    private final Map<String, Integer> firstByName;
    private final Set<Integer> declared;

    private PodPorts(Map<String, Integer> firstByName, Set<Integer> declared) {
        this.firstByName = firstByName;
        this.declared = declared;
    }

    public static PodPorts of(Pod pod) {
        Map<String, Integer> firstByName = new HashMap<>();
        Set<Integer> declared = new HashSet<>();
        PodContainers.of(pod).forEach(container -> {
            if (container.getPorts() == null) {
                return;
            }
            for (ContainerPort port : container.getPorts()) {
                if (port == null || port.getContainerPort() == null) {
                    continue;
                }
                declared.add(port.getContainerPort());
                if (port.getName() != null) {
                    firstByName.putIfAbsent(port.getName(), port.getContainerPort());
                }
            }
        });
        return new PodPorts(firstByName, declared);
    }

    /** The number of the first container port called {@code name}, as the endpoints controller resolves it. */
    public Optional<Integer> named(String name) {
        return Optional.ofNullable(firstByName.get(name));
    }

    /** Whether some container declares {@code port} as a containerPort. */
    public boolean declares(int port) {
        return declared.contains(port);
    }
}
