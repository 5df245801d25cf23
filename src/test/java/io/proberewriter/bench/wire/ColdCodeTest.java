package io.proberewriter.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The wire benchmark's measure of cold code times CPU, not wall time, and leaves the gaps out of it. */
class ColdCodeTest {

    @Test
    void aRunThatWaitsCostsNoCpuAndOneThatSpinsDoes() {
        double parked = ColdCode.cpuMicrosPerRun(() -> LockSupport.parkNanos(5_000_000), 5, 0);
        assertTrue(parked < 2_000, "5 ms parked counted as " + parked + " µs of CPU: wall time, not CPU time");

        double spinning = ColdCode.cpuMicrosPerRun(ColdCodeTest::spinThreeMillis, 5, 0);
        assertTrue(spinning > 500, "3 ms of spinning counted as only " + spinning + " µs of CPU");
    }

    @Test
    void theGapsAreWaitedButNotCounted() {
        long start = System.nanoTime();
        double perRun = ColdCode.cpuMicrosPerRun(() -> { }, 20, 2_000_000);
        double wallMillis = (System.nanoTime() - start) / 1e6;
        assertTrue(wallMillis >= 40, "20 gaps of 2 ms took " + wallMillis + " ms: the gaps were not waited");
        assertTrue(perRun < 1_000, "an empty run after a 2 ms gap counted " + perRun + " µs: the gap was counted");
    }

    @Test
    void theFactorsCompareTheGappedRunsWithTheBackToBackOnes() {
        ColdCode.Figures figures = new ColdCode.Figures(60, 140, 360, 70, 77);
        assertEquals(6.0, figures.bindFactor(), 1e-9);
        assertEquals(1.1, figures.controlFactor(), 1e-9);
    }

    private static void spinThreeMillis() {
        long until = System.nanoTime() + 3_000_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
