package io.proberewriter.webhook;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * One kind of failure of ours, logged with its stack trace at most once a window; the repeats in between are only
 * counted, and their number is logged with the next one after the window. A bug that hits every pod would otherwise
 * log a stack trace per admission, thousands a second on the event loop: CPU taken from the admissions and every
 * other line drowned. The metric that counts the failure still counts each one.
 *
 * <p>A kind is the throwable's class and its top frame: the pod in the message varies per request, the bug does not.
 * At most {@value #MAX_KINDS} kinds are told apart, so that failures thrown from ever new places cannot grow the map;
 * past them, all others share one window. Nothing here runs unless something failed: the hot path allocates nothing.
 * No lock is held while logging: a window is claimed by compare-and-set, and its loser only counts.
 */
final class RepeatedFailureLog {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_KINDS = 32;

    /** The kind every failure shares once {@value #MAX_KINDS} kinds are known. */
    private static final Kind OTHER = new Kind(Throwable.class, null);

    private final Logger log;
    private final String counter;
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final ConcurrentHashMap<Kind, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param counter the metric that counts every failure, named in the summary so that an operator knows where the
     *                repeats went
     */
    RepeatedFailureLog(Logger log, String counter, LongSupplier nanoClock) {
        this.log = log;
        this.counter = counter;
        this.nanoClock = nanoClock;
        this.windowNanos = WINDOW.toNanos();
    }

    /**
     * Logs {@code failure} at ERROR with its stack trace if it is the first of its kind in the window, after a line
     * with the number of its kind left unlogged since the last one; otherwise only counts it.
     */
    void error(Throwable failure, String format, Object parameter) {
        long now = nanoClock.getAsLong();
        Kind kind = Kind.of(failure);
        Window window = windows.get(kind);
        if (window == null) {
            // Threads racing past the size check may add a few kinds more: the bound is what matters, not its value.
            kind = windows.size() < MAX_KINDS ? kind : OTHER;
            // A new window starts expired, so the first failure of its kind is logged.
            window = windows.computeIfAbsent(kind, k -> new Window(now - windowNanos));
        }
        long start = window.start.get();
        if (now - start < windowNanos || !window.start.compareAndSet(start, now)) {
            // Within the window, or another thread just opened the next one and logs it.
            window.suppressed.incrementAndGet();
            return;
        }
        long suppressed = window.suppressed.getAndSet(0);
        if (suppressed > 0) {
            log.errorf("… %,d more like it in the last %d s, not logged (each is counted in %s): %s", suppressed,
                    Duration.ofNanos(now - start).toSeconds(), counter, kind.describe());
        }
        log.errorf(failure, format, parameter);
    }

    /** The number of kinds told apart, for the test of the bound. */
    int kinds() {
        return windows.size();
    }

    private record Kind(Class<?> type, StackTraceElement top) {

        static Kind of(Throwable failure) {
            StackTraceElement[] trace = failure.getStackTrace();
            return new Kind(failure.getClass(), trace.length == 0 ? null : trace[0]);
        }

        String describe() {
            if (this.equals(OTHER)) {
                return "failures of other kinds (more than " + MAX_KINDS + " were seen)";
            }
            return type.getName() + (top == null ? "" : " at " + top);
        }
    }

    private static final class Window {
        /** When the failure logged in full was: the window runs from there. */
        final AtomicLong start;
        final AtomicLong suppressed = new AtomicLong();

        Window(long start) {
            this.start = new AtomicLong(start);
        }
    }
}
