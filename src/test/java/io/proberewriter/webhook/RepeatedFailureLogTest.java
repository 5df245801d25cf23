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
