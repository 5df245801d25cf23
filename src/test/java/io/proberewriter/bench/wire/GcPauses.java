package io.proberewriter.bench.wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stop-the-world GC pauses read from the JVM's unified GC log ({@code -Xlog:gc*:file=…:uptime}): every line that
 * names a {@code Pause} and ends with its duration — G1's and Serial's young, mixed, full, remark and cleanup pauses,
 * ZGC's and Shenandoah's short pauses alike.
 */
final class GcPauses {

    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+\\.\\d+)s\\].*\\bPause\\b.*?(\\d+\\.\\d+)ms\\s*$");

    private GcPauses() {
    }

    static String logOption(Path file) {
        return "-Xlog:gc*:file=" + file.toAbsolutePath() + ":uptime";
    }

    /** The summary of the pauses that began at or after {@code fromUptimeSeconds}. */
    static Summary after(Path log, double fromUptimeSeconds) throws IOException {
        double longest = 0;
        double total = 0;
        int count = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher pause = PAUSE.matcher(line);
            if (pause.matches() && Double.parseDouble(pause.group(1)) >= fromUptimeSeconds) {
                double millis = Double.parseDouble(pause.group(2));
                longest = Math.max(longest, millis);
                total += millis;
                count++;
            }
        }
        return new Summary(count, longest, total);
    }

    record Summary(int count, double longestMillis, double totalMillis) {
    }
}
