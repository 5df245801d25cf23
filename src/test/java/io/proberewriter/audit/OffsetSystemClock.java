package io.proberewriter.audit;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock, running, and moved forward when a test says so: an interval of an hour passes at once, and the
 * reconcilers that read this clock see it pass. Unlike {@code time.SteppingClock}, which stands still, it keeps real
 * time flowing for the informers and Events around the audit. An alternative, in place of the application's clock
 * only where a test profile enables it.
 */
@Alternative
@Singleton
public class OffsetSystemClock extends Clock {

    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    /** Moves the clock forward by {@code duration}. */
    public void step(Duration duration) {
        ahead.accumulateAndGet(duration, Duration::plus);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(ahead.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the application's clock is UTC");
    }
}
