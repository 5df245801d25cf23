package io.proberewriter.engine;

/**
 * Merges a port into a mesh's inbound-interception exclusion annotation
 * ({@code traffic.sidecar.istio.io/excludeInboundPorts: "8002,9090"}). What is there is never dropped or
 * reordered; the port is appended only when no entry (a port, a {@code low-high} range, or {@code *}) already
 * covers it, so merging twice changes nothing.
 */
public final class InterceptionExclusion {

    private InterceptionExclusion() {
    }

    static String merge(String existing, int port) {
        if (existing == null || existing.isBlank()) {
            return Integer.toString(port);
        }
        if (covers(existing, port)) {
            return existing;
        }
        String trimmed = existing.strip();
        return trimmed.endsWith(",") ? trimmed + port : trimmed + "," + port;
    }

    /**
     * The list without the entry that is exactly this port (ranges and {@code *} stay); null when nothing is left,
     * so that an annotation this tool created alone can be dropped.
     */
    public static String without(String existing, int port) {
        if (existing == null) {
            return null;
        }
        String kept = java.util.Arrays.stream(existing.split(","))
                .map(String::trim)
                .filter(e -> !e.isEmpty() && !e.equals(Integer.toString(port)))
                .collect(java.util.stream.Collectors.joining(","));
        return kept.isEmpty() ? null : kept;
    }

    static boolean covers(String existing, int port) {
        for (String entry : existing.split(",")) {
            String e = entry.trim();
            if (e.equals("*") || e.equals(Integer.toString(port))) {
                return true;
            }
            int dash = e.indexOf('-');
            if (dash > 0) {
                try {
                    int low = Integer.parseInt(e.substring(0, dash).trim());
                    int high = Integer.parseInt(e.substring(dash + 1).trim());
                    if (port >= low && port <= high) {
                        return true;
                    }
                } catch (NumberFormatException notARange) {
                    // Not ours to judge: the mesh validates its own annotation.
                }
            }
        }
        return false;
    }
}
