package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;

/**
 * Resolves a probe port the way the kubelet does: a number as is, a name against the same container's
 * {@code ports} (never another container's, even if it uses the same name).
 */
record PortResolution(int port, String problem) {

    boolean ok() {
        return problem == null;
    }

    static PortResolution of(IntOrString value, Container container) {
        if (value == null) {
            return new PortResolution(0, "the probe has no port");
        }
        if (value.getIntVal() != null) {
            return number(value.getIntVal());
        }
        return name(value.getStrVal(), container);
    }

    static PortResolution number(int port) {
        return port >= 1 && port <= 65535 ? new PortResolution(port, null)
                : new PortResolution(0, "port " + port + " is out of range 1-65535");
    }

    static PortResolution name(String name, Container container) {
        // A loop, not a stream: this runs for every probe of every pod, and a stream's pipeline is objects and code
        // that a cold admission pays for.
        List<ContainerPort> ports = container.getPorts() == null ? List.of() : container.getPorts();
        for (ContainerPort port : ports) {
            if (port != null && name.equals(port.getName())) {
                return port.getContainerPort() == null
                        ? notAPortOf(name, container) : new PortResolution(port.getContainerPort(), null);
            }
        }
        return notAPortOf(name, container);
    }

    private static PortResolution notAPortOf(String name, Container container) {
        return new PortResolution(0, "port name \"" + name + "\" is not a port of container " + container.getName());
    }
}
