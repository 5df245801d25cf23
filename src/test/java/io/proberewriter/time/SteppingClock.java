package io.proberewriter.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock that stands still until the test moves it, so that a test walks through a certificate's life (renewals,
 * expiry, a validity that begins) in as many steps as it needs rather than living through it. Actions set for a
 * moment of this clock ({@link #at}) run, in order, when a step reaches that moment, on the thread that steps.
 */
public final class SteppingClock extends Clock {

    private record Alarm(Instant when, Runnable action) {
    }

    private final List<Alarm> alarms = new ArrayList<>();
    private volatile Instant now;

    public SteppingClock(Instant start) {
        this.now = start;
    }

    /** Moves the time forward and runs every action due by then. */
    public void step(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + by);
        }
        List<Alarm> due = new ArrayList<>();
        synchronized (this) {
            now = now.plus(by);
            alarms.removeIf(alarm -> !alarm.when().isAfter(now) && due.add(alarm));
        }
        due.sort(Comparator.comparing(Alarm::when));
        due.forEach(alarm -> alarm.action().run());
    }

    /** Runs {@code action} when a step reaches {@code when}. */
    public synchronized void at(Instant when, Runnable action) {
        alarms.add(new Alarm(when, action));
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a stepping clock reads UTC only");
    }
}
