package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.CapturedPorts;
import io.proberewriter.meshes.PodPorts;
import io.proberewriter.messages.Excerpt;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether the sidecar's iptables rules capture inbound traffic to a port. A port that is not captured reaches
 * the application directly, so mTLS never sees the kubelet's request.
 *
 * <p>Istio captures every port ({@code includeInboundPorts} defaults to {@code "*"}) since 1.3. Istio 1.2 and older,
 * the seeds' Istio among them, captured only the declared {@code containerPort}s, which is why the seeds' probe on
 * the undeclared port 8002 "bypasses the Istio proxy"; that older default applies where the mesh shows its age
 * ({@link MeshPolicies#declaredPortsOnly()}).
 *
 * <p>{@code excludeInboundPorts} counts only where every port is captured ({@code includeInboundPorts} unset or
 * {@code "*"}): Istio's iptables setup ({@code tools/istio-iptables}) writes the exclusions' RETURN rules only then, and
 * its injector reads the exclusions only then too.
 *
 * <p>Built once per pod: the annotations are read and the ports indexed once, then each probe's port is a look-up.
 */
final class InboundInterception {

    static final String INCLUDE = "traffic.sidecar.istio.io/includeInboundPorts";
    static final String EXCLUDE = "traffic.sidecar.istio.io/excludeInboundPorts";

    private final Set<String> excluded;
    private final String include;
    private final CapturedPorts captured;
    private final Optional<String> declaredPortsOnly;
    private final PodPorts ports;

    /**
     * @param declaredPortsOnly set (with the evidence) when the sidecar captures only declared containerPorts
     */
    InboundInterception(Pod pod, PodPorts ports, Optional<String> declaredPortsOnly) {
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        String exclude = annotations.get(EXCLUDE);
        this.excluded = exclude == null ? Set.of() : entries(exclude);
        this.include = annotations.get(INCLUDE);
        this.captured = CapturedPorts.of(include, INCLUDE);
        this.declaredPortsOnly = declaredPortsOnly;
        this.ports = ports;
    }

    /** Why the port bypasses the sidecar, or empty when it is captured. */
    Optional<String> bypassed(int port) {
        String number = String.valueOf(port);
        // Istio applies the exclusions only under "*" (its default): with a list of ports (given, or the declared ports
        // of a mesh that captures only those), exactly those are captured, and a port both listed and excluded is.
        boolean capturesAll = include == null ? declaredPortsOnly.isEmpty() : captured.all();
        if (capturesAll && excluded.contains(number)) {
            return Optional.of("port " + port + " excluded from interception (" + EXCLUDE + ")");
        }
        if (!captured.all() && !captured.lists(port)) {
            return Optional.of("port " + port + " not intercepted (" + INCLUDE + ": \"" + Excerpt.of(include) + "\")");
        }
        if (include == null && declaredPortsOnly.isPresent() && !ports.declares(port)) {
            return Optional.of("port " + port + " not intercepted: it is no declared containerPort, and the sidecars"
                    + " of this mesh capture only those (" + declaredPortsOnly.get() + ")");
        }
        return Optional.empty();
    }

    /** Entries that are not port numbers are kept too: they can neither exclude nor include a port. */
    private static Set<String> entries(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).collect(Collectors.toSet());
    }
}
