package io.proberewriter.meshes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A pod's containers and init containers taken together: named ports and the istio-proxy container may be in
 * either list (native sidecars are init containers).
 */
public final class PodContainers {

    private PodContainers() {
    }

    public static Stream<Container> of(Pod pod) {
        if (pod.getSpec() == null) {
            return Stream.empty();
        }
        List<Container> mains = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        return Stream.concat(mains.stream(), inits.stream()).filter(Objects::nonNull);
    }
}
