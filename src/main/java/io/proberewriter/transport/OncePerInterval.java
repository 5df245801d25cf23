package io.proberewriter.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether a repeated event is the first of its interval, for warnings that a burst would otherwise repeat hundreds of
 * times a second (refused connections, refused requests) while a counter counts every one. One caller claims the
 * interval by compare-and-set, the others are told no; no lock, nothing allocated. The first event is always first.
 */
public final class OncePerInterval {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong last;

    public OncePerInterval(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.last = new AtomicLong(nanoClock.getAsLong() - intervalNanos);
    }

    /** True for the first event of an interval (and the caller logs it); false for the rest. */
    public boolean first() {
        long now = nanoClock.getAsLong();
        long previous = last.get();
        return now - previous >= intervalNanos && last.compareAndSet(previous, now);
    }
}
