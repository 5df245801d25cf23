package io.proberewriter.bench.wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the JVM's unified GC log ({@code -Xlog:gc*:file=…:uptime}) says. Stop-the-world pauses: every line that names a
 * {@code Pause} and ends with its duration — G1's and Serial's young, mixed, full, remark and cleanup pauses, ZGC's
 * and Shenandoah's short pauses alike. Allocation: what the heap held before each collection less what it held after
 * the previous one, summed — the bytes the application allocated in between, to the log's MiB resolution, which
 * averages out over the hundreds of collections of a run.
 */
final class GcLog {

    /**
     * A pause's line: its uptime, its kind (what follows {@code Pause}: {@code Young (Allocation Failure)},
     * {@code Full (System.gc())}, ZGC's {@code Mark Start}), and its duration; the heap figures between are left out.
     */
    private static final Pattern PAUSE = Pattern.compile(
            "^\\[(\\d+\\.\\d+)s\\].*?\\bPause (.*?)(?: \\d+M->\\d+M\\(\\d+M\\))? (\\d+\\.\\d+)ms\\s*$");
    /** A collection's CPU and wall time, to the log's 10 ms: {@code GC(1329) User=0.00s Sys=0.00s Real=0.02s}. */
    private static final Pattern CPU = Pattern.compile(
            "^\\[\\d+\\.\\d+s\\] GC\\((\\d+)\\) (User=\\S+ Sys=\\S+ Real=\\S+)\\s*$");
    /** The collection's number on a pause's line. */
    private static final Pattern ID = Pattern.compile("\\bGC\\((\\d+)\\)");
    /** The heap before and after one collection: {@code 39M->26M(51M)}. */
    private static final Pattern HEAP = Pattern.compile("^\\[(\\d+\\.\\d+)s\\] GC\\(\\d+\\) .*?(\\d+)M->(\\d+)M\\(\\d+M\\).*$");

    private GcLog() {
    }

    /** MiB allocated from {@code fromUptimeSeconds} to {@code toUptimeSeconds} (collections in that window). */
    static double allocatedMiB(Path log, double fromUptimeSeconds, double toUptimeSeconds) throws IOException {
        double allocated = 0;
        long previousAfter = -1;
        for (String line : Files.readAllLines(log)) {
            Matcher heap = HEAP.matcher(line);
            if (!heap.matches() || !line.contains("Pause")) {
                continue;
            }
            double at = Double.parseDouble(heap.group(1));
            long before = Long.parseLong(heap.group(2));
            long after = Long.parseLong(heap.group(3));
            if (at >= fromUptimeSeconds && at <= toUptimeSeconds && previousAfter >= 0) {
                allocated += Math.max(0, before - previousAfter);
            }
            previousAfter = after;
        }
        return allocated;
    }

    static String logOption(Path file) {
        return "-Xlog:gc*:file=" + file.toAbsolutePath() + ":uptime";
    }

    /** The summary of the pauses that began at or after {@code fromUptimeSeconds}. */
    static Summary after(Path log, double fromUptimeSeconds) throws IOException {
        return summarize(Files.readAllLines(log), fromUptimeSeconds);
    }

    static Summary summarize(List<String> lines, double fromUptimeSeconds) {
        double longest = 0;
        String longestKind = "";
        String longestId = null;
        double total = 0;
        List<Double> pauses = new ArrayList<>();
        Map<String, String> cpu = new HashMap<>();
        for (String line : lines) {
            Matcher times = CPU.matcher(line);
            if (times.matches()) {
                cpu.put(times.group(1), times.group(2));
                continue;
            }
            Matcher pause = PAUSE.matcher(line);
            if (pause.matches() && Double.parseDouble(pause.group(1)) >= fromUptimeSeconds) {
                double millis = Double.parseDouble(pause.group(3));
                if (millis > longest) {
                    longest = millis;
                    longestKind = pause.group(2);
                    Matcher id = ID.matcher(line);
                    longestId = id.find() ? id.group(1) : null;
                }
                total += millis;
                pauses.add(millis);
            }
        }
        Collections.sort(pauses);
        double median = pauses.isEmpty() ? 0 : pauses.get(pauses.size() / 2);
        return new Summary(pauses.size(), longest, longestKind, total, median,
                longestId == null ? "" : cpu.getOrDefault(longestId, ""));
    }

    /**
     * The pauses counted, the longest and its kind (a full collection reads differently from a young one), in all;
     * the median, what a pause costs when nothing gets in its way; and the longest one's CPU line ({@code User=…
     * Sys=… Real=…}, empty when the log has none): a pause of little CPU and much wall time waited for a core.
     */
    record Summary(int count, double longestMillis, String longestKind, double totalMillis, double medianMillis,
                   String longestCpu) {
    }
}
