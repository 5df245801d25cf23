package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.proberewriter.meshes.PodPorts;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Service, reduced to what maps a v1alpha1 Policy target ({@code service + service port}) onto a pod's container
 * port: its selector and its ports. A copy, so the snapshot stays what it was when built.
 */
record KnownService(String namespace, String name, Map<String, String> selector, List<Port> ports) {

    KnownService {
        selector = Collections.unmodifiableMap(new TreeMap<>(selector));
        ports = List.copyOf(ports);
    }

    /**
     * @param targetNumber the numeric targetPort, or {@code port} when targetPort is absent
     * @param targetName   the named targetPort, resolved against the pod's container ports
     */
    record Port(String name, int port, Integer targetNumber, String targetName) {
    }

    static Optional<KnownService> of(Service service, List<String> ignored) {
        if (service == null || service.getMetadata() == null || service.getMetadata().getName() == null
                || service.getMetadata().getNamespace() == null) {
            ignored.add("Service without namespace or name");
            return Optional.empty();
        }
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        Map<String, String> selector = service.getSpec() == null || service.getSpec().getSelector() == null
                ? Map.of() : service.getSpec().getSelector();
        List<Port> ports = new ArrayList<>();
        List<ServicePort> declared = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        for (ServicePort p : declared) {
            if (p == null || p.getPort() == null) {
                continue;
            }
            IntOrString target = p.getTargetPort();
            if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
                ports.add(new Port(p.getName(), p.getPort(), p.getPort(), null));
            } else if (target.getIntVal() != null) {
                ports.add(new Port(p.getName(), p.getPort(), target.getIntVal(), null));
            } else if (target.getStrVal().matches("\\d{1,5}")) {
                ports.add(new Port(p.getName(), p.getPort(), Integer.parseInt(target.getStrVal()), null));
            } else {
                ports.add(new Port(p.getName(), p.getPort(), null, target.getStrVal()));
            }
        }
        return Optional.of(new KnownService(namespace, name, selector, ports));
    }

    /** As the endpoints controller does: a Service without selector selects no pod (its endpoints are manual). */
    boolean selects(Map<String, String> podLabels) {
        return !selector.isEmpty() && podLabels.entrySet().containsAll(selector.entrySet());
    }

    /**
     * The container port this service port sends traffic to on {@code pod}; a named targetPort is looked up in all
     * of the pod's containers, as the endpoints controller does.
     */
    Optional<Integer> containerPort(Port port, PodPorts pod) {
        if (port.targetNumber() != null) {
            return Optional.of(port.targetNumber());
        }
        return pod.named(port.targetName());
    }
}
