package io.proberewriter.scale;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Measures one piece of work at growing sizes and prints time, allocation and output size per run, with the growth
 * factor per 10× of size: about 10 for work that grows linearly, about 100 for work that grows with the square.
 * Ratios rather than absolute times, because the build machine is shared and noisy.
 */
public final class GrowthTable {

    /** JIT warm-up before each measurement. */
    private static final long WARM_UP_NANOS = 1_000_000_000L;
    /** Each batch runs the work at least once and for at least this long; the median batch is reported. */
    private static final long BATCH_NANOS = 200_000_000L;
    private static final int BATCHES = 5;

    private final String title;
    private final List<Row> rows = new ArrayList<>();

    public record Row(String label, int size, double nanosPerRun, double bytesPerRun, long outputBytes) {
    }

    public GrowthTable(String title) {
        this.title = title;
    }

    /**
     * Time per run is the median of {@value #BATCHES} batches, which other work on a shared machine disturbs less than
     * a mean; allocation per run is over all batches (it does not depend on the machine's load).
     *
     * @param work one run; returns the size in bytes of what it produced (a patch, a response), which is printed
     */
    public Row measure(String label, int size, LongSupplier work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long warmStart = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - warmStart < WARM_UP_NANOS; i++) {
            work.getAsLong();
        }
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        double[] perRun = new double[BATCHES];
        int runs = 0;
        long output = 0;
        for (int batch = 0; batch < BATCHES; batch++) {
            long start = System.nanoTime();
            int batchRuns = 0;
            do {
                output = work.getAsLong();
                batchRuns++;
            } while (System.nanoTime() - start < BATCH_NANOS);
            perRun[batch] = (double) (System.nanoTime() - start) / batchRuns;
            runs += batchRuns;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        Arrays.sort(perRun);
        Row row = new Row(label, size, perRun[BATCHES / 2], (double) allocated / runs, output);
        rows.add(row);
        return row;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Prints the rows measured so far; growth is computed between consecutive rows of the same label. */
    public void print() {
        System.out.println();
        System.out.println("== " + title + " ==");
        System.out.printf(Locale.ROOT, "%-34s %8s %12s %12s %12s %10s %10s%n", "", "size", "time/run", "allocated/run",
                "output", "time x/10x", "alloc x/10x");
        Row previous = null;
        for (Row row : rows) {
            String timeGrowth = "";
            String allocGrowth = "";
            if (previous != null && previous.label().equals(row.label()) && row.size() > previous.size()) {
                timeGrowth = String.format(Locale.ROOT, "%.1f", perTenfold(previous.size(), row.size(),
                        previous.nanosPerRun(), row.nanosPerRun()));
                allocGrowth = String.format(Locale.ROOT, "%.1f", perTenfold(previous.size(), row.size(),
                        previous.bytesPerRun(), row.bytesPerRun()));
            }
            System.out.printf(Locale.ROOT, "%-34s %8d %12s %12s %12s %10s %10s%n", row.label(), row.size(),
                    duration(row.nanosPerRun()), bytes(row.bytesPerRun()), bytes(row.outputBytes()), timeGrowth,
                    allocGrowth);
            previous = row;
        }
    }

    /** The factor per 10× of size: (b/a)^(1/log10(sizeB/sizeA)), so that 10,000 → 40,000 compares with the rest. */
    public static double perTenfold(int sizeA, int sizeB, double a, double b) {
        return Math.pow(b / a, 1.0 / Math.log10((double) sizeB / sizeA));
    }

    static String duration(double nanos) {
        if (nanos >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }

    static String bytes(double bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024 / 1024);
        }
        if (bytes >= 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
        }
        return String.format(Locale.ROOT, "%.0f B", bytes);
    }
}
