package io.proberewriter.webhook;

import io.proberewriter.transport.OncePerInterval;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * One kind of failure of ours, logged with its stack trace at most once a window; the repeats in between are only
 * counted, and their number is logged once the window is over: with the next one of that kind, or, if that kind
 * stopped, by {@link #reportRepeats()} at the next admission of any kind. A bug that hits every pod would otherwise
 * log a stack trace per admission, thousands a second on the event loop: CPU taken from the admissions and every
 * other line drowned. The metric that counts the failure still counts each one.
 *
 * <p>A kind is the throwable's class and its top frame: the pod in the message varies per request, the bug does not.
 * At most {@value #MAX_KINDS} kinds are told apart, so that failures thrown from ever new places cannot grow the map;
 * past them, all others share one window. Only {@link #reportRepeats()} runs on every admission, and while no
 * repeat waits it reads one field: the hot path allocates nothing. No lock is held while logging: a window is
 * claimed by compare-and-set, and its loser only counts.
 */
final class RepeatedFailureLog {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_KINDS = 32;

    /** How often {@link #reportRepeats()} looks for windows that ran out, while some hold repeats. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    /** The kind every failure shares once {@value #MAX_KINDS} kinds are known. */
    private static final Kind OTHER = new Kind(Throwable.class, null);

    private final Logger log;
    private final String counter;
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final ConcurrentHashMap<Kind, Window> windows = new ConcurrentHashMap<>();

    /*
     * Whether some window may hold repeats not yet logged: set by each repeat, so that reportRepeats(), called by every
     * admission, costs one volatile read while none do, and walks the windows at most once a SWEEP_INTERVAL while
     * some do (the walk allocates its iterator).
     */
    private volatile boolean repeatsPending;
    private final OncePerInterval sweep;

    /**
     * @param counter the metric that counts every failure, named in the summary so that an operator knows where the
     *                repeats went
     */
    RepeatedFailureLog(Logger log, String counter, LongSupplier nanoClock) {
        this.log = log;
        this.counter = counter;
        this.nanoClock = nanoClock;
        this.windowNanos = WINDOW.toNanos();
        this.sweep = new OncePerInterval(SWEEP_INTERVAL.toNanos(), nanoClock);
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
            window = windows.computeIfAbsent(kind, k -> new Window(k, now - windowNanos));
        }
        long start = window.start.get();
        if (now - start < windowNanos || !window.start.compareAndSet(start, now)) {
            // Within the window, or another thread just opened the next one and logs it.
            window.suppressed.incrementAndGet();
            // After the count: a sweep that clears the flag before this write sees the count and sets it again.
            repeatsPending = true;
            return;
        }
        summarize(window, start, now);
        log.errorf(failure, format, parameter);
    }

    /**
     * Logs the repeats of each window that ran out since its failure was logged in full, for failures that stopped:
     * otherwise their number would wait for the next one of their kind, maybe forever. A window summarized here stays
     * over, so the next failure of its kind is logged in full at once, without a summary.
     */
    void reportRepeats() {
        if (!repeatsPending || !sweep.first()) {
            return;
        }
        // Cleared before the walk: a repeat counted during it sets the flag again, so none is left unswept.
        repeatsPending = false;
        long now = nanoClock.getAsLong();
        for (Window window : windows.values()) {
            long start = window.start.get();
            if (now - start >= windowNanos) {
                summarize(window, start, now);
            } else if (window.suppressed.get() > 0) {
                repeatsPending = true; // its window is not over yet
            }
        }
    }

    /** The line with the number of repeats of a window that is over, if it had any; taken once, whoever logs it. */
    private void summarize(Window window, long start, long now) {
        long suppressed = window.suppressed.getAndSet(0);
        if (suppressed > 0) {
            log.errorf("… %,d more like it in the last %d s, not logged (each is counted in %s): %s", suppressed,
                    Duration.ofNanos(now - start).toSeconds(), counter, window.kind.describe());
        }
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
        final Kind kind;
        /** When the failure logged in full was: the window runs from there. */
        final AtomicLong start;
        final AtomicLong suppressed = new AtomicLong();

        Window(Kind kind, long start) {
            this.kind = kind;
            this.start = new AtomicLong(start);
        }
    }
}
