package io.proberewriter.bench.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * What this machine charges for code that runs now and then rather than all the time, measured apart from either
 * server: the same work, in this JVM, once compiled, timed by the thread's own CPU clock back to back and with idle
 * gaps between runs. A server at 500 admissions/s runs its path every 2 ms and sleeps in between; between two runs
 * the caches, the TLB and the branch predictors serve whatever else the machine ran, and the next run pays for
 * bringing its code and data back. How much that costs is a property of the machine (its other work, the
 * hypervisor), the same for the webhook and the floor, and it is what makes CPU per admission depend on the rate.
 *
 * <p>Two kinds of work: binding the typical pod into fabric8's {@link Pod} with Jackson, most of what the webhook
 * does per admission and as heavy in code and data; and a loop of multiplications that touches no memory, the
 * control, which shows whether the clock itself changes with the gaps (it would if the cores slowed down when idle).
 */
final class ColdCode {

    /** CPU per run of the two kinds of work, back to back and with gaps, in microseconds. */
    record Figures(double bindBackToBack, double bindEvery2ms, double bindEvery10ms,
                   double controlBackToBack, double controlEvery10ms) {

        double bindFactor() {
            return bindEvery10ms / bindBackToBack;
        }

        double controlFactor() {
            return controlEvery10ms / controlBackToBack;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long TWO_MS = 2_000_000;
    private static final long TEN_MS = 10_000_000;

    private ColdCode() {
    }

    /** About ten seconds: the warm-up, then 400 gapped runs of each kind and as many back to back. */
    static Figures measure(byte[] review) {
        ObjectMapper json = new ObjectMapper();
        byte[] pod;
        try {
            pod = json.writeValueAsBytes(json.readTree(review).get("request").get("object"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runnable bind = () -> {
            try {
                json.readValue(pod, Pod.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Runnable control = ColdCode::multiply;
        // Both compiled by C2 before anything is timed.
        cpuMicrosPerRun(bind, 30_000, 0);
        cpuMicrosPerRun(control, 30_000, 0);
        int gapped = 400;
        return new Figures(cpuMicrosPerRun(bind, 5_000, 0), cpuMicrosPerRun(bind, gapped, TWO_MS),
                cpuMicrosPerRun(bind, gapped, TEN_MS),
                cpuMicrosPerRun(control, 5_000, 0), cpuMicrosPerRun(control, gapped, TEN_MS));
    }

    /**
     * The mean CPU time of one run of {@code work}, each run after an idle gap of {@code gapNanos} (none when 0). Only
     * the runs are timed: the gaps are spent parked, and a parked thread's CPU clock stands still.
     */
    static double cpuMicrosPerRun(Runnable work, int runs, long gapNanos) {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot read a thread's CPU time");
        }
        long cpuNanos = 0;
        for (int i = 0; i < runs; i++) {
            if (gapNanos > 0) {
                park(gapNanos);
            }
            long before = THREADS.getCurrentThreadCpuTime();
            work.run();
            cpuNanos += THREADS.getCurrentThreadCpuTime() - before;
        }
        return cpuNanos / 1_000.0 / runs;
    }

    private static void park(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static volatile long sink;

    /** Some 60 µs of multiplications on registers: no memory, no branches to mispredict. */
    private static void multiply() {
        long x = 1;
        for (int i = 0; i < 60_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        sink = x;
    }
}
