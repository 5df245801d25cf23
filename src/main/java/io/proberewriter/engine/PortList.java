package io.proberewriter.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A list of ports as people write them in an annotation: numbers, {@code low-high} ranges and {@code *} (every
 * port), comma-separated ({@code "8081, 9000-9010"}). Parsed strictly: a list that says who may open a port must
 * not be half understood.
 */
public final class PortList {

    /** What the parser accepts, for messages. */
    public static final String ACCEPTED = "comma-separated port numbers 1-65535, low-high ranges or *";

    private static final PortList NONE = new PortList(List.of(), "");

    private record Range(int low, int high) {
    }

    private final List<Range> ranges;
    private final String text;

    private PortList(List<Range> ranges, String text) {
        this.ranges = List.copyOf(ranges);
        this.text = text;
    }

    public static PortList none() {
        return NONE;
    }

    /** Empty when any entry is not a port, a range of ports or {@code *}; blank means no port. */
    public static Optional<PortList> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(NONE);
        }
        List<Range> ranges = new ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String entry = raw.trim();
            if (entry.equals("*")) {
                ranges.add(new Range(1, 65535));
                continue;
            }
            int dash = entry.indexOf('-');
            Optional<Integer> low = port(dash < 0 ? entry : entry.substring(0, dash));
            Optional<Integer> high = dash < 0 ? low : port(entry.substring(dash + 1));
            if (low.isEmpty() || high.isEmpty() || low.get() > high.get()) {
                return Optional.empty();
            }
            ranges.add(new Range(low.get(), high.get()));
        }
        return Optional.of(new PortList(ranges, value.trim()));
    }

    private static Optional<Integer> port(String text) {
        String digits = text.trim();
        // ASCII digits only: Character.isDigit (and Integer.parseInt) take any script's digits, "٨٠٨٠" as 8080.
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
    }

    public boolean covers(int port) {
        return ranges.stream().anyMatch(r -> port >= r.low() && port <= r.high());
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** As written, for messages. */
    @Override
    public String toString() {
        return text;
    }
}
