package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the sidecar's iptables rules capture inbound traffic to a port. A port that is not captured reaches
 * the application directly, so mTLS never sees the kubelet's request.
 *
 * <p>Modern Istio captures every port ({@code includeInboundPorts} defaults to {@code "*"}). Istio 0.8, the seeds'
 * version, captured only declared {@code containerPort}s; that older default is not modelled.
 */
final class InboundInterception {

    static final String INCLUDE = "traffic.sidecar.istio.io/includeInboundPorts";
    static final String EXCLUDE = "traffic.sidecar.istio.io/excludeInboundPorts";

    private InboundInterception() {
    }

    /** Why the port bypasses the sidecar, or empty when it is captured. */
    static Optional<String> bypassed(Pod pod, int port) {
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
        return Optional.empty();
    }

    /** Entries that are not port numbers are skipped: they can neither exclude nor include this port. */
    private static boolean listed(String list, int port) {
        return Arrays.stream(list.split(",")).map(String::trim).anyMatch(e -> e.equals(String.valueOf(port)));
    }
}
