package io.proberewriter.bench.wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory as the kernel counts it (what a container's memory limit is held against, less the
 * page cache): {@code VmRSS} now and {@code VmHWM}, its peak, from {@code /proc/<pid>/status}. A sampler thread
 * keeps the highest {@code VmRSS} seen since the last {@link #mark()}, so that a peak can be given for one phase.
 */
public final class ProcessMemory implements AutoCloseable {

    private final long pid;
    private final PeriodicSampler sampler;
    private volatile long peakSinceMarkKiB;

    public ProcessMemory(long pid) {
        this.pid = pid;
        this.sampler = new PeriodicSampler("rss-" + pid, 20, this::sample);
    }

    public long residentKiB() {
        return field("VmRSS:");
    }

    long lifetimePeakKiB() {
        return field("VmHWM:");
    }

    void mark() {
        peakSinceMarkKiB = residentKiB();
    }

    long peakSinceMarkKiB() {
        return Math.max(peakSinceMarkKiB, residentKiB());
    }

    private void sample() {
        long now = residentKiB();
        if (now > peakSinceMarkKiB) {
            peakSinceMarkKiB = now;
        }
    }

    private long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process has gone: nothing more to read.
        }
        return 0;
    }

    @Override
    public void close() {
        sampler.close();
    }
}
