package io.proberewriter.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire benchmark's reading of GC logs, on lines as Serial, G1 and ZGC write them with {@code -Xlog:gc*}. */
class GcLogTest {

    private static final List<String> SERIAL = List.of(
            "[4.618s] GC(19) Pause Young (Allocation Failure)",
            "[4.618s] GC(19) DefNew: 10752K(10752K)->1064K(10752K) Eden: 9600K(9600K)->0K(9600K)",
            "[4.634s] GC(19) Pause Young (Allocation Failure) 16M->11M(21M) 15.408ms",
            "[5.015s] GC(21) Pause Full (System.gc()) 16M->13M(33M) 43.396ms",
            "[158.244s] GC(1460) Pause Young (Allocation Failure) 31M->23M(33M) 3.867ms",
            "[158.299s] GC(1462) Pause Full (Allocation Failure)",
            "[158.364s] GC(1462) Phase 1: Mark live objects 65.480ms",
            "[158.389s] GC(1462) Pause Full (Allocation Failure) 23M->20M(49M) 90.643ms",
            "[158.389s] GC(1462) User=0.11s Sys=0.00s Real=0.09s",
            "[158.469s] GC(1463) Pause Young (Allocation Failure) 34M->20M(49M) 1.564ms");

    @Test
    void theLongestPauseAfterAMomentIsFoundWithItsKindAndPhasesAreNotPauses() {
        GcLog.Summary all = GcLog.summarize(SERIAL, 0);
        assertEquals(5, all.count(), "five pauses; the phase of 65 ms is part of one, not one of its own");
        assertEquals(90.643, all.longestMillis(), 1e-9);
        assertEquals("Full (Allocation Failure)", all.longestKind());
        assertEquals(15.408 + 43.396 + 3.867 + 90.643 + 1.564, all.totalMillis(), 1e-9);

        GcLog.Summary beforeTheFullOne = GcLog.summarize(SERIAL.subList(0, 5), 5.0);
        assertEquals(2, beforeTheFullOne.count(), "only the pauses from 5.0 s of uptime on");
        assertEquals("Full (System.gc())", beforeTheFullOne.longestKind());
    }

    @Test
    void theLongestPauseComesWithItsOwnCpuLineAndTheMedianSaysWhatAPauseUsuallyCosts() {
        GcLog.Summary summary = GcLog.summarize(List.of(
                "[207.484s] GC(1328) Pause Young (Allocation Failure) 27M->18M(31M) 1.077ms",
                "[207.484s] GC(1328) User=0.01s Sys=0.00s Real=0.00s",
                "[207.599s] GC(1329) Pause Young (Allocation Failure)",
                "[207.611s] GC(1329) DefNew: 8608K(10112K)->13K(10112K) Eden: 8599K(9024K)->0K(9024K)",
                "[207.611s] GC(1329) Pause Young (Allocation Failure) 27M->18M(31M) 11.684ms",
                "[207.611s] GC(1329) User=0.00s Sys=0.00s Real=0.02s",
                "[207.643s] GC(1330) Pause Young (Allocation Failure) 27M->18M(31M) 1.024ms",
                "[207.643s] GC(1330) User=0.00s Sys=0.01s Real=0.00s"), 0);
        assertEquals(11.684, summary.longestMillis(), 1e-9);
        assertEquals("User=0.00s Sys=0.00s Real=0.02s", summary.longestCpu(), "GC(1329)'s, not a neighbour's");
        assertEquals(1.077, summary.medianMillis(), 1e-9);
        assertEquals("", GcLog.summarize(SERIAL.subList(0, 3), 0).longestCpu(), "no CPU line for GC(19)");
    }

    @Test
    void g1AndZgcPausesAreReadToo() {
        GcLog.Summary summary = GcLog.summarize(List.of(
                "[1.234s] GC(5) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms",
                "[2.000s] GC(6) Pause Remark 30M->30M(256M) 1.200ms",
                "[3.000s] GC(7) Pause Mark Start 0.012ms",
                "[3.100s] GC(7) Pause Relocate Start 4.500ms"), 0);
        assertEquals(4, summary.count());
        assertEquals("Relocate Start", summary.longestKind());
        assertEquals(4.5, summary.longestMillis(), 1e-9);
    }

    @Test
    void allocationIsTheHeapBeforeEachCollectionLessWhatThePreviousOneLeft(@TempDir Path folder) throws IOException {
        Path log = folder.resolve("gc.log");
        Files.write(log, SERIAL);
        // From 4.6 s: 16M after the full collection at 5.0 s minus 11M left at 4.634 s is 5; 31 - 13 = 18;
        // the full collection of 158.389 s begins at 23 = what was left, so 0; 34 - 20 = 14.
        assertEquals(5 + 18 + 0 + 14, GcLog.allocatedMiB(log, 4.7, 200), 1e-9);
    }
}
