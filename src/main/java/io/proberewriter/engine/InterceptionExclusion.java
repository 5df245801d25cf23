package io.proberewriter.engine;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Merges a port into a mesh's inbound-interception exclusion annotation
 * ({@code traffic.sidecar.istio.io/excludeInboundPorts: "8002,9090"}). What is there is never dropped or
 * reordered; the port is appended only when no entry (a port, a {@code low-high} range, or {@code *}) already
 * covers it, so merging twice changes nothing.
 */
public final class InterceptionExclusion {

    private InterceptionExclusion() {
    }

    /**
     * Merges every port of {@code ports} into {@code existing}, as if one at a time. The list is read once, whatever
     * the number of ports: a pod may have thousands of health ports, and the annotation may be long.
     *
     * @return the merged list; {@code existing} itself when there is nothing to add (null stays null)
     */
    static String merge(String existing, Collection<Integer> ports) {
        if (ports.isEmpty()) {
            return existing;
        }
        boolean blank = existing == null || existing.isBlank();
        Coverage covered = blank ? Coverage.NONE : Coverage.of(existing);
        StringBuilder merged = blank ? new StringBuilder() : new StringBuilder(existing.strip());
        for (int port : ports) {
            if (covered.covers(port)) {
                continue;
            }
            if (merged.length() > 0 && merged.charAt(merged.length() - 1) != ',') {
                merged.append(',');
            }
            merged.append(port);
        }
        return blank || merged.length() != existing.strip().length() ? merged.toString() : existing;
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

    /**
     * The ports an exclusion list already covers: an entry that is exactly the port, a {@code low-high} range, or
     * {@code *}. Anything else is not ours to judge (the mesh validates its own annotation) and covers nothing.
     */
    private record Coverage(boolean all, Set<String> exact, int[] rangeDepth) {

        static final Coverage NONE = new Coverage(false, Set.of(), null);
        private static final int MAX_PORT = 65535;
        private static final java.util.regex.Pattern ASCII_PORT = java.util.regex.Pattern.compile("[0-9]{1,5}");

        static Coverage of(String list) {
            boolean all = false;
            Set<String> exact = new HashSet<>();
            // Ranges are counted into a difference array, so that many ranges cost no more than a few.
            int[] depth = null;
            for (String entry : list.split(",")) {
                String e = entry.trim();
                if (e.equals("*")) {
                    all = true;
                }
                exact.add(e);
                int dash = e.indexOf('-');
                if (dash > 0) {
                    String lowText = e.substring(0, dash).trim();
                    String highText = e.substring(dash + 1).trim();
                    // ASCII digits only, as the mesh's Go code reads them (Integer.parseInt takes any script's digits
                    // and a sign); anything else is not a range and can only match as an exact entry.
                    if (ASCII_PORT.matcher(lowText).matches() && ASCII_PORT.matcher(highText).matches()) {
                        int low = Math.max(1, Integer.parseInt(lowText));
                        int high = Math.min(MAX_PORT, Integer.parseInt(highText));
                        if (low <= high) {
                            depth = depth == null ? new int[MAX_PORT + 2] : depth;
                            depth[low]++;
                            depth[high + 1]--;
                        }
                    }
                }
            }
            if (depth != null) {
                for (int port = 1; port <= MAX_PORT + 1; port++) {
                    depth[port] += depth[port - 1];
                }
            }
            return new Coverage(all, exact, depth);
        }

        boolean covers(int port) {
            return all || exact.contains(Integer.toString(port))
                    || (rangeDepth != null && port >= 1 && port <= MAX_PORT && rangeDepth[port] > 0);
        }
    }
}
