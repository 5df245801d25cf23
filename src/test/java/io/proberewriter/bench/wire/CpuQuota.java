package io.proberewriter.bench.wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A container's CPU limit as the kubelet enforces it: a CFS quota on a cgroup of its own, {@code limit} cores' worth
 * of CPU time in every 100 ms period, shared by all of the process's threads. A JVM whose main thread and JIT
 * compilers run side by side on two cores uses that time up in half a period, then waits for the next one: which
 * {@code -XX:ActiveProcessorCount} alone does not show.
 *
 * <p>Made with cgroup v2 ({@code cpu.max}) where the cpu controller is enabled at the root, or with cgroup v1's cpu
 * hierarchy ({@code cpu.cfs_quota_us}); neither is possible without write access to {@code /sys/fs/cgroup}, and then
 * {@link #create} says why.
 */
final class CpuQuota implements AutoCloseable {

    static final long PERIOD_MICROS = 100_000;

    private final Path group;
    private final boolean v2;

    private CpuQuota(Path group, boolean v2) {
        this.group = group;
        this.v2 = v2;
    }

    /** A new group limited to {@code cores}, or why there cannot be one on this machine. */
    static Result create(String name, double cores) {
        long quota = Math.round(cores * PERIOD_MICROS);
        Path root = Path.of("/sys/fs/cgroup");
        try {
            // "cpu" as a word: "cpuset" alone does not limit time.
            if (List.of(Files.readString(root.resolve("cgroup.subtree_control")).trim().split("\\s+"))
                    .contains("cpu")) {
                Path group = Files.createDirectory(root.resolve(name));
                Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
                return new Result(Optional.of(new CpuQuota(group, true)), "");
            }
        } catch (IOException | RuntimeException e) {
            // Not cgroup v2 with the cpu controller, or not ours to write: try v1.
        }
        Path v1 = root.resolve("cpu");
        try {
            if (Files.exists(v1.resolve("cpu.cfs_quota_us"))) {
                Path group = Files.createDirectory(v1.resolve(name));
                Files.writeString(group.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_MICROS));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), String.valueOf(quota));
                return new Result(Optional.of(new CpuQuota(group, false)), "");
            }
            return new Result(Optional.empty(), "no cgroup cpu controller to write under " + root);
        } catch (IOException | RuntimeException e) {
            return new Result(Optional.empty(), "cannot make a cgroup under " + v1 + ": " + e);
        }
    }

    record Result(Optional<CpuQuota> quota, String whyNot) {
    }

    /** What goes before a command so that its process starts inside the group (its threads and children with it). */
    List<String> prefix() {
        return List.of("/bin/sh", "-c", "echo $$ > '" + group.resolve("cgroup.procs") + "' && exec \"$@\"", "sh");
    }

    /** Periods in which the group used up its quota and waited, of all periods it ran in, and for how long in all. */
    String throttling() {
        try {
            return throttling(Files.readAllLines(group.resolve("cpu.stat")));
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The same from a {@code cpu.stat} file's lines, v1's (nanoseconds) or v2's (microseconds). */
    static String throttling(List<String> cpuStat) {
        long periods = 0;
        long throttled = 0;
        double throttledMillis = 0;
        for (String line : cpuStat) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 2) {
                continue;
            }
            switch (words[0]) {
                case "nr_periods" -> periods = Long.parseLong(words[1]);
                case "nr_throttled" -> throttled = Long.parseLong(words[1]);
                case "throttled_time" -> throttledMillis = Long.parseLong(words[1]) / 1e6;
                case "throttled_usec" -> throttledMillis = Long.parseLong(words[1]) / 1e3;
                default -> { }
            }
        }
        return String.format(Locale.ROOT, "%,d of %,d periods, %,.0f ms", throttled, periods, throttledMillis);
    }

    /** Removes the group; its processes must have exited (the kernel refuses to remove a group in use). */
    @Override
    public void close() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100); // the last thread of an exited process leaves the group a moment later
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        System.out.println("could not remove the cgroup " + group + (v2 ? " (v2)" : " (v1)"));
    }
}
