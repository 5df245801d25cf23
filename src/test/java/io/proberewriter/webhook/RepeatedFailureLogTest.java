package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/** What {@link RepeatedFailureLog} tells apart, and the bound on what it remembers. */
class RepeatedFailureLogTest {

    private static final String LOGGER = RepeatedFailureLogTest.class.getName();

    private final AtomicLong nanos = new AtomicLong(42);
    private final RepeatedFailureLog failures = new RepeatedFailureLog(Logger.getLogger(LOGGER), "some_total",
            nanos::get);

    @Test
    void eachKindIsLoggedOnceAWindow() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 100; i++) {
                failures.error(thrownAt("a", new IllegalStateException()), "failed %s", i);
                failures.error(thrownAt("b", new IllegalStateException()), "failed %s", i); // another place
                failures.error(thrownAt("a", new NullPointerException()), "failed %s", i); // another class
            }
            assertEquals(3, log.withStackTrace(Level.SEVERE), log.toString());

            // A window runs from its logged failure: one minute less a nanosecond later, still suppressed.
            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos() - 1);
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", "late");
            assertEquals(3, log.withStackTrace(Level.SEVERE), log.toString());

            nanos.incrementAndGet();
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", "later");
            List<String> errors = log.messages(Level.SEVERE);
            assertEquals(List.of("… 100 more like it in the last 60 s, not logged (each is counted in some_total):"
                    + " java.lang.IllegalStateException at Bug.a(Bug.java:1)", "failed later"),
                    errors.subList(3, errors.size()), log.toString());

            // The window logged nothing more since: no summary before the next one in full.
            nanos.addAndGet(Duration.ofMinutes(5).toNanos());
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", "much later");
            assertEquals("failed much later", log.messages(Level.SEVERE).get(5), log.toString());
        }
    }

    /**
     * Repeats followed by silence: {@link RepeatedFailureLog#reportRepeats()}, called by every admission, logs their
     * number once their window is over, and only then; a kind without repeats gets no summary, and none is told twice.
     */
    @Test
    void repeatsFollowedBySilenceAreLoggedOnceTheWindowIsOver() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 10; i++) {
                failures.error(thrownAt("a", new IllegalStateException()), "failed %s", i);
            }
            failures.error(thrownAt("b", new IllegalStateException()), "failed %s", "once"); // no repeat
            failures.reportRepeats();
            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos() - 1);
            failures.reportRepeats(); // a nanosecond early
            assertEquals(List.of("failed 0", "failed once"), log.messages(Level.SEVERE), log.toString());

            nanos.addAndGet(RepeatedFailureLog.SWEEP_INTERVAL.toNanos());
            failures.reportRepeats();
            assertEquals(List.of("failed 0", "failed once", "… 9 more like it in the last 60 s, not logged (each is"
                    + " counted in some_total): java.lang.IllegalStateException at Bug.a(Bug.java:1)"),
                    log.messages(Level.SEVERE), log.toString());

            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
            failures.reportRepeats();
            // Its window stays over: the next one is logged in full at once, with no summary, none being left.
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", "again");
            List<String> errors = log.messages(Level.SEVERE);
            assertEquals(List.of("failed again"), errors.subList(3, errors.size()), log.toString());
            assertEquals(3, log.withStackTrace(Level.SEVERE), log.toString());
        }
    }

    /** Repeats counted while a sweep found their window still open are not forgotten by the sweeps after it. */
    @Test
    void aSweepBeforeTheWindowIsOverLeavesItsRepeatsForALaterOne() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", 0);
            nanos.addAndGet(RepeatedFailureLog.SWEEP_INTERVAL.toNanos());
            failures.error(thrownAt("a", new IllegalStateException()), "failed %s", 1);
            for (int i = 0; i < 60; i++) { // sweeps a second apart while the window runs, then past its end
                failures.reportRepeats();
                nanos.addAndGet(RepeatedFailureLog.SWEEP_INTERVAL.toNanos());
            }
            failures.reportRepeats();
            assertEquals(List.of("failed 0", "… 1 more like it in the last 60 s, not logged (each is counted in"
                    + " some_total): java.lang.IllegalStateException at Bug.a(Bug.java:1)"),
                    log.messages(Level.SEVERE), log.toString());
        }
    }

    /**
     * Two threads fail at the same instant, round after round, the clock a window on each round: one opens the round's
     * window and tells the last one's repeat, the other is that window's repeat. Every summary must tell exactly one
     * repeat, and every window but the last gets one. When the count was kept apart from the window's start, the
     * thread that lost the race to open the window could count its repeat before the winner took the old window's
     * count: the winner then told it with the old window, early ("2 more"), and its own window told nothing (a sweep
     * that read a window just before a new one opened took that window's first repeats the same way, but the race
     * is too narrow to meet here). The threads spin rather than wait, so that they fail together; the thread that
     * ends a round starts the next one.
     */
    @Test
    void everySummaryTellsTheRepeatsOfItsOwnWindowWhenThreadsFailTogether() throws Exception {
        int threads = 2;
        int rounds = 20_000;
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(LOGGER + ".race");
        java.util.Queue<String> summaries = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getThrown() == null) {
                    summaries.add(String.format(record.getMessage(), record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = jul.getUseParentHandlers();
        jul.setUseParentHandlers(false); // a stack trace a round is not for the console
        jul.addHandler(handler);
        RepeatedFailureLog raced = new RepeatedFailureLog(Logger.getLogger(LOGGER + ".race"), "some_total",
                nanos::get);
        java.util.concurrent.atomic.AtomicInteger round = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        while (round.get() != r) {
                            if (Thread.currentThread().isInterrupted()) {
                                throw new InterruptedException("the other thread failed"); // no spinning on
                            }
                            Thread.onSpinWait();
                        }
                        raced.error(thrownAt("a", new IllegalStateException()), "failed %s", r);
                        if (failed.incrementAndGet() == threads * (r + 1)) {
                            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
                            round.set(r + 1);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> worker : workers) {
                worker.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            jul.removeHandler(handler);
            jul.setUseParentHandlers(useParent);
        }
        String expected = "… 1 more like it in the last 60 s, not logged (each is counted in some_total):"
                + " java.lang.IllegalStateException at Bug.a(Bug.java:1)";
        List<String> wrong = summaries.stream().filter(line -> !line.equals(expected)).toList();
        assertEquals(List.of(), wrong.subList(0, Math.min(wrong.size(), 3)), wrong.size() + " wrong summaries");
        assertEquals(rounds - 1, summaries.size(), "one summary for each round's window but the last");
    }

    @Test
    void failuresFromEverNewPlacesShareOneWindowPastTheBound() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 1_000; i++) {
                failures.error(thrownAt("place" + i, new IllegalStateException()), "failed %s", i);
            }
            assertEquals(RepeatedFailureLog.MAX_KINDS + 1, failures.kinds());
            assertEquals(RepeatedFailureLog.MAX_KINDS + 1, log.withStackTrace(Level.SEVERE), log.toString());

            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
            failures.error(thrownAt("yet another", new IllegalStateException()), "failed %s", "late");
            assertTrue(log.has(Level.SEVERE, "… " + String.format("%,d", 1_000 - RepeatedFailureLog.MAX_KINDS - 1)
                    + " more like it in the last 60 s, not logged (each is counted in some_total): failures of"
                    + " other kinds"), log.toString());
        }
    }

    @Test
    void aThrowableWithoutStackTraceIsAKindOfItsOwn() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 10; i++) {
                OutOfMemoryError bare = new OutOfMemoryError("Java heap space");
                bare.setStackTrace(new StackTraceElement[0]); // as the JVM's preallocated ones may be
                failures.error(bare, "failed %s", i);
            }
            assertEquals(1, log.withStackTrace(Level.SEVERE), log.toString());
        }
    }

    private static <T extends Throwable> T thrownAt(String method, T failure) {
        failure.setStackTrace(new StackTraceElement[] {new StackTraceElement("Bug", method, "Bug.java", 1)});
        return failure;
    }
}
