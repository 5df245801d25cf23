package io.proberewriter.bench.wire;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A process's CPU time (user and system, all its threads), sampled every 10 ms with the moment of each sample, so
 * that the CPU a server spent over a span the load driver measured can be read afterwards, as the GC log is read for
 * allocation. CPU per request is what sizing a replica's CPU request needs, and it moves far less than throughput
 * when the machine's other work takes the cores.
 */
final class ProcessCpu implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 10;

    private final ProcessHandle process;
    private final ConcurrentSkipListMap<Long, Long> cpuNanosAt = new ConcurrentSkipListMap<>();
    private final PeriodicSampler sampler;

    ProcessCpu(ProcessHandle process) {
        this.process = process;
        this.sampler = new PeriodicSampler("cpu-" + process.pid(), SAMPLE_MILLIS, this::sample);
    }

    /** The CPU the process used between two {@link System#nanoTime()} moments, from the samples nearest to them. */
    Duration between(long fromNanos, long toNanos) {
        Map.Entry<Long, Long> from = nearest(fromNanos);
        Map.Entry<Long, Long> to = nearest(toNanos);
        if (from == null || to == null || !(to.getKey() > from.getKey())) {
            throw new IllegalStateException("no CPU samples of process " + process.pid() + " around that span");
        }
        return Duration.ofNanos(to.getValue() - from.getValue());
    }

    private Map.Entry<Long, Long> nearest(long nanos) {
        Map.Entry<Long, Long> below = cpuNanosAt.floorEntry(nanos);
        Map.Entry<Long, Long> above = cpuNanosAt.ceilingEntry(nanos);
        if (below == null || above == null) {
            return below == null ? above : below;
        }
        return nanos - below.getKey() <= above.getKey() - nanos ? below : above;
    }

    private void sample() {
        // The JDK reads /proc/<pid>/stat and converts the kernel's clock ticks (10 ms each on Linux).
        process.info().totalCpuDuration().ifPresent(cpu -> cpuNanosAt.put(System.nanoTime(), cpu.toNanos()));
    }

    @Override
    public void close() {
        sampler.close();
    }
}
