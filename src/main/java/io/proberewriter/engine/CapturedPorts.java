package io.proberewriter.engine;

import java.util.HashSet;
import java.util.Set;

/**
 * The inbound ports Istio's sidecar is told to capture, where it is given a list ({@code includeInboundPorts}, or
 * {@code istio-init}'s {@code -b}): exactly those are captured, and the exclusions are not read. Read once per pod,
 * since a pod may have thousands of probes and the list may be long.
 *
 * @param list   the list as written, null where every port is captured ({@code "*"} or nothing said)
 * @param source where it was read, for the warning
 */
public record CapturedPorts(String list, String source, Set<String> ports) {

    public static final CapturedPorts ALL = new CapturedPorts(null, null, Set.of());

    public static CapturedPorts of(String list, String source) {
        // Istio compares the whole value with "*": anything else is a list of ports.
        if (list == null || "*".equals(list)) {
            return ALL;
        }
        Set<String> ports = new HashSet<>();
        for (String entry : list.split(",")) {
            ports.add(entry.trim());
        }
        return new CapturedPorts(list, source, ports);
    }

    /** Whether every port is captured: {@code "*"}, or nothing said. */
    public boolean all() {
        return list == null;
    }

    /** Whether the list names this port, which then stays captured whatever the exclusions say. */
    public boolean lists(int port) {
        return list != null && ports.contains(Integer.toString(port));
    }
}
