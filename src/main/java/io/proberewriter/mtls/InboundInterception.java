package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.meshes.PodContainers;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the sidecar's iptables rules capture inbound traffic to a port. A port that is not captured reaches
 * the application directly, so mTLS never sees the kubelet's request.
 *
 * <p>Istio captures every port ({@code includeInboundPorts} defaults to {@code "*"}) since 1.3. Istio 1.2 and older,
 * the seeds' Istio among them, captured only the declared {@code containerPort}s, which is why the seeds' probe on
 * the undeclared port 8002 "bypasses the Istio proxy"; that older default applies where the mesh shows its age
 * ({@link MeshPolicies#declaredPortsOnly()}).
 */
final class InboundInterception {

    static final String INCLUDE = "traffic.sidecar.istio.io/includeInboundPorts";
    static final String EXCLUDE = "traffic.sidecar.istio.io/excludeInboundPorts";

    private InboundInterception() {
    }

    /**
     * Why the port bypasses the sidecar, or empty when it is captured.
     *
     * @param declaredPortsOnly set (with the evidence) when the sidecar captures only declared containerPorts
     */
    static Optional<String> bypassed(Pod pod, int port, Optional<String> declaredPortsOnly) {
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        String exclude = annotations.get(EXCLUDE);
        if (exclude != null && listed(exclude, port)) {
            return Optional.of("port " + port + " excluded from interception (" + EXCLUDE + ")");
        }
        String include = annotations.get(INCLUDE);
        if (include != null && !include.contains("*") && !listed(include, port)) {
            return Optional.of("port " + port + " not intercepted (" + INCLUDE + ": \"" + include + "\")");
        }
        if (include == null && declaredPortsOnly.isPresent() && !declared(pod, port)) {
            return Optional.of("port " + port + " not intercepted: it is no declared containerPort, and the sidecars"
                    + " of this mesh capture only those (" + declaredPortsOnly.get() + ")");
        }
        return Optional.empty();
    }

    private static boolean declared(Pod pod, int port) {
        return PodContainers.of(pod)
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(Objects::nonNull)
                .anyMatch(p -> p.getContainerPort() != null && p.getContainerPort() == port);
    }

    /** Entries that are not port numbers are skipped: they can neither exclude nor include this port. */
    private static boolean listed(String list, int port) {
        return Arrays.stream(list.split(",")).map(String::trim).anyMatch(e -> e.equals(String.valueOf(port)));
    }
}
