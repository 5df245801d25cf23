package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.Optional;
import java.util.Set;

/**
 * The effective settings for one container after precedence (container ▸ pod ▸ namespace ▸ global).
 *
 * @param healthPort the raw {@code health-port} value (a port number or a port name), already checked for syntax
 */
record ContainerSettings(Setting<Mode> mode, Setting<ExecCommandStyle> execCommand,
                         Optional<Setting<String>> healthPort, Setting<Set<ProbeKind>> probeKinds) {

    /** Whether the health port is given as a number: a probe moved there then names the number, not a name. */
    boolean healthPortByNumber() {
        return healthPort.isPresent() && healthPort.get().value().chars().allMatch(Character::isDigit);
    }

    /** The health port resolved against {@code container} (a name means that container's port); empty when unset. */
    Optional<PortResolution> resolvedHealthPort(Container container) {
        return healthPort.map(h -> healthPortByNumber() ? PortResolution.number(Integer.parseInt(h.value()))
                : PortResolution.name(h.value(), container));
    }

    /**
     * Whether {@code probe} is what port mode leaves in this container: an httpGet probe on its health port, moved
     * there or kept there.
     */
    boolean probesHealthPort(Probe probe, Container container) {
        if (mode.value() != Mode.PORT || probe == null || probe.getHttpGet() == null) {
            return false;
        }
        Optional<PortResolution> health = resolvedHealthPort(container);
        PortResolution target = PortResolution.of(probe.getHttpGet().getPort(), container);
        return health.isPresent() && health.get().ok() && target.ok() && health.get().port() == target.port();
    }
}
