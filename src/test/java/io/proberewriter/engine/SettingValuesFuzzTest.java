package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing (Jazzer) of the values users write into annotations, settings and flags, each parser
 * against a plain reference of what docs/annotations.md and docs/configuration.md accept:
 * <ul>
 *   <li>{@link PortList} (allowed health ports, {@code --allowed-health-ports}): the same lists are accepted, and
 *       they cover the same ports at every range's edges; a port is written in ASCII digits, 1-65535;</li>
 *   <li>{@code probe-rewriter.io/health-port}: a port number in ASCII digits, or a port name (IANA_SVC_NAME);</li>
 *   <li>{@link ImageReference} (the prober's image): an answer, never an exception, whatever the length, and no
 *       reference accepted whose name is longer than the 255 characters registries take.</li>
 * </ul>
 * The input is text with a part repeated up to 2,000 times, so that lengths no mutation reaches are tried too. See
 * {@link io.proberewriter.webhook.AdmissionFuzzTest} for how fuzz tests run.
 */
class SettingValuesFuzzTest {

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");
    private static final int NAME_MAX = 255;

    @DictionaryEntries({",", "-", "*", " ", "65535", "65536", "0", "8080", "\u0668\u0660", "http", "a--b",
            "registry.example.com:5000/", "/", ":", "@sha256:", "0123456789abcdef0123456789abcdef", ".", "__"})
    @FuzzTest(maxDuration = "10m")
    void readsValuesAsDocumented(FuzzedDataProvider data) {
        String value = data.consumeString(100) + data.consumeString(10).repeat(data.consumeInt(0, 2_000))
                + data.consumeRemainingAsString();
        portList(value);
        healthPort(value);
        imageReference(value);
    }

    private static void portList(String value) {
        Optional<List<int[]>> expected = referencePortList(value);
        Optional<PortList> parsed = PortList.parse(value);
        assertEquals(expected.isPresent(), parsed.isPresent(), () -> "port list accepted: \"" + value + "\"");
        if (expected.isEmpty()) {
            return;
        }
        List<Integer> edges = new ArrayList<>(List.of(1, 65535));
        // The edges of the first ranges only: a list of thousands would cost each input seconds, for nothing new.
        for (int[] range : expected.get().subList(0, Math.min(20, expected.get().size()))) {
            edges.addAll(List.of(range[0] - 1, range[0], range[1], range[1] + 1));
        }
        for (int port : edges) {
            boolean covered = expected.get().stream().anyMatch(r -> port >= r[0] && port <= r[1]);
            assertEquals(covered, parsed.get().covers(port), () -> "port " + port + " in \"" + value + "\"");
        }
    }

    /** Comma-separated entries, each {@code *}, a port or {@code low-high}, blanks around each part allowed. */
    private static Optional<List<int[]>> referencePortList(String value) {
        List<int[]> ranges = new ArrayList<>();
        if (value.isBlank()) {
            return Optional.of(ranges);
        }
        for (String entry : value.split(",", -1)) {
            if (entry.trim().equals("*")) {
                ranges.add(new int[] {1, 65535});
                continue;
            }
            String[] ends = entry.split("-", -1);
            if (ends.length > 2) {
                return Optional.empty();
            }
            Optional<Integer> low = referencePort(ends[0].trim());
            Optional<Integer> high = ends.length == 1 ? low : referencePort(ends[1].trim());
            if (low.isEmpty() || high.isEmpty() || low.get() > high.get()) {
                return Optional.empty();
            }
            ranges.add(new int[] {low.get(), high.get()});
        }
        return Optional.of(ranges);
    }

    /** A port number: one to five ASCII digits, 1-65535. */
    private static Optional<Integer> referencePort(String text) {
        if (!text.matches("[0-9]{1,5}")) {
            return Optional.empty();
        }
        int port = Integer.parseInt(text);
        return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
    }

    private static void healthPort(String value) {
        Optional<String> expected;
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String digits = value.replaceFirst("^0+(?=.)", "");
            expected = digits.length() <= 5 && Integer.parseInt(digits) >= 1 && Integer.parseInt(digits) <= 65535
                    ? Optional.of(digits) : Optional.empty();
        } else {
            boolean name = PORT_NAME.matcher(value).matches() && !value.contains("--")
                    && value.chars().anyMatch(c -> c >= 'a' && c <= 'z');
            expected = name ? Optional.of(value) : Optional.empty();
        }
        assertEquals(expected, SettingsResolver.parseHealthPort(value), () -> "health port \"" + value + "\"");
    }

    private static void imageReference(String value) {
        Optional<String> problem = ImageReference.problem(value);
        if (problem.isPresent()) {
            assertTrue(!problem.get().isBlank());
            return;
        }
        String name = value.contains("@") ? value.substring(0, value.indexOf('@')) : value;
        if (name.lastIndexOf(':') > name.lastIndexOf('/')) {
            name = name.substring(0, name.lastIndexOf(':'));
        }
        assertTrue(name.length() <= NAME_MAX, () -> "accepted a name of " + value.length() + " characters");
    }
}
