package io.proberewriter.webhook;

import io.proberewriter.transport.OncePerInterval;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
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
 *
 * <p>A window's start and its count are one immutable {@link State}, swapped whole: whoever takes a count for a
 * summary takes it with the start it was counted under, in the same swap. Kept in two fields, the count could be
 * taken after another thread had opened the next window and counted in it (by the failure that opened it, or by a
 * sweep that had read the old start): that window's first repeats were then told early, with the old window's, and
 * its own summary came up short.
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
            window = windows.computeIfAbsent(kind, k -> new Window(k, new State(now - windowNanos, 0)));
        }
        while (true) {
            State state = window.state.get();
            if (now - state.start() < windowNanos) {
                if (window.state.compareAndSet(state, state.withOneMore())) {
                    // After the count: a sweep that clears the flag before this write sees the count and sets it
                    // again.
                    repeatsPending = true;
                    return;
                }
            } else if (window.state.compareAndSet(state, new State(now, 0))) {
                summarize(window.kind, state, now);
                log.errorf(failure, format, parameter);
                return;
            }
            // Another thread counted, opened the next window (which this one then falls in) or took the count.
        }
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
            State state = window.state.get();
            while (state.suppressed() > 0) {
                if (now - state.start() < windowNanos) {
                    repeatsPending = true; // its window is not over yet
                    break;
                }
                // The count is taken with the start it belongs to; the window stays over, with nothing left to tell.
                if (window.state.compareAndSet(state, new State(state.start(), 0))) {
                    summarize(window.kind, state, now);
                    break;
                }
                state = window.state.get(); // a failure opened the next window, and told this one's count
            }
        }
    }

    /** The line with the number of repeats of a window that is over, if it had any. */
    private void summarize(Kind kind, State over, long now) {
        if (over.suppressed() > 0) {
            log.errorf("… %,d more like it in the last %d s, not logged (each is counted in %s): %s",
                    over.suppressed(), Duration.ofNanos(now - over.start()).toSeconds(), counter, kind.describe());
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

    /**
     * @param start      when the failure logged in full was: the window runs from there
     * @param suppressed the repeats counted in this window and not yet told
     */
    private record State(long start, long suppressed) {

        State withOneMore() {
            return new State(start, suppressed + 1);
        }
    }

    private static final class Window {
        final Kind kind;
        final AtomicReference<State> state;

        Window(Kind kind, State state) {
            this.kind = kind;
            this.state = new AtomicReference<>(state);
        }
    }
}
