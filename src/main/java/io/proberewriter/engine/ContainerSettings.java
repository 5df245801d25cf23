package io.proberewriter.engine;

import java.util.Optional;
import java.util.Set;

/**
 * The effective settings for one container after precedence (container ▸ pod ▸ namespace ▸ global).
 *
 * @param healthPort the raw {@code health-port} value (a port number or a port name), already checked for syntax
 */
record ContainerSettings(Setting<Mode> mode, Setting<ExecCommandStyle> execCommand,
                         Optional<Setting<String>> healthPort, Setting<Set<ProbeKind>> probeKinds) {
}
