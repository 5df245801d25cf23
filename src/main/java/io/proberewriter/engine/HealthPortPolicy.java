package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may open a port to plaintext, and which ports may be opened. Port mode takes a port out of the mesh's mTLS
 * (the interception exclusion, and with the operator a port-level PERMISSIVE policy): a pod author must not be able
 * to do that to the app's own traffic or to the mesh's ports, and the namespace's editors decide which ports their
 * namespace lets go. A health port is refused, and the probe left as it was with a warning naming the rule, unless:
 * <ol>
 *   <li>the container declares it ({@code ports[].containerPort}): an undeclared port is no port of the app the
 *       pod author has described;</li>
 *   <li>it is not a port of a mesh's own proxy (Istio's 15000-15099, Linkerd's 4140, 4143, 4190, 4191);</li>
 *   <li>no probe of the pod that is not on its own health port targets it: such a port is one the app serves
 *       on, under mTLS for a reason;</li>
 *   <li>the namespace allows it: the namespace annotation {@code probe-rewriter.io/allowed-health-ports} lists it
 *       (numbers, ranges or {@code *}), or, without that annotation, the global setting does (none by default).
 *       Only those who may edit the Namespace can open its ports; pod authors cannot.</li>
 * </ol>
 * Services that route traffic to the port are checked by the operator, which knows them, before it writes a policy.
 */
final class HealthPortPolicy {

    /** Istio's reserved range, and Linkerd's proxy ports. */
    private static final PortList MESH_PORTS = PortList.parse("15000-15099,4140,4143,4190,4191").orElseThrow();

    private final Setting<PortList> allowed;
    private final Optional<String> invalidNamespaceValue;
    private final String namespace;

    private HealthPortPolicy(Setting<PortList> allowed, Optional<String> invalidNamespaceValue, String namespace) {
        this.allowed = allowed;
        this.invalidNamespaceValue = invalidNamespaceValue;
        this.namespace = namespace;
    }

    static HealthPortPolicy of(NamespaceContext namespace, GlobalSettings global) {
        String name = namespace.name() == null ? "?" : namespace.name();
        String raw = namespace.annotations().get(Annotations.ALLOWED_HEALTH_PORTS);
        if (raw == null) {
            return new HealthPortPolicy(new Setting<>(global.allowedHealthPorts(), "global default"),
                    Optional.empty(), name);
        }
        Optional<PortList> parsed = PortList.parse(raw);
        return parsed.map(list -> new HealthPortPolicy(new Setting<>(list, "namespace annotation "
                        + Annotations.ALLOWED_HEALTH_PORTS), Optional.empty(), name))
                .orElseGet(() -> new HealthPortPolicy(new Setting<>(PortList.none(), "namespace annotation "
                        + Annotations.ALLOWED_HEALTH_PORTS), Optional.of(raw), name));
    }

    /**
     * Why {@code port} may not be the health port of {@code container}; empty when it may.
     *
     * @param source   where the health port was set, for the message
     * @param appPorts ports that probes of the pod target while not on their own container's health port
     */
    Optional<String> refusal(int port, String source, Container container, Set<Integer> appPorts) {
        String healthPort = "health port " + port + " (" + source + ")";
        List<ContainerPort> declared = container.getPorts() == null ? List.of() : container.getPorts();
        if (declared.stream().noneMatch(p -> p != null && p.getContainerPort() != null && p.getContainerPort() == port)) {
            return Optional.of(healthPort + " is not a port container " + container.getName() + " declares"
                    + " (ports[].containerPort): declare the port the app serves health checks on");
        }
        if (MESH_PORTS.covers(port)) {
            return Optional.of(healthPort + " is a port of the mesh's own proxy (Istio 15000-15099, Linkerd 4140,"
                    + " 4143, 4190, 4191), which must stay in the mesh");
        }
        if (appPorts.contains(port)) {
            return Optional.of(healthPort + " is also the target of a probe of this pod that is not on its health"
                    + " port: the app serves on it, and it keeps its mTLS");
        }
        if (invalidNamespaceValue.isPresent()) {
            return Optional.of(healthPort + " cannot be allowed: namespace annotation "
                    + Annotations.ALLOWED_HEALTH_PORTS + "=\"" + invalidNamespaceValue.get() + "\" is invalid"
                    + " (accepted: " + PortList.ACCEPTED + ")");
        }
        if (!allowed.value().covers(port)) {
            String said = allowed.value().isEmpty()
                    ? "namespace " + namespace + " has no annotation " + Annotations.ALLOWED_HEALTH_PORTS
                    + " and the global default allows no port"
                    : allowed.source() + " allows " + allowed.value();
            return Optional.of(healthPort + " is not allowed in namespace " + namespace + ": " + said
                    + " (only those who may edit the namespace can open its ports)");
        }
        return Optional.empty();
    }
}
