package io.proberewriter.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The time the beans read that decide by it (the serving certificate's validity, the certificates reconciler, the
 * audit's intervals, Event timestamps): the system's, in UTC. A bean and not {@code Clock.systemUTC()} at each use,
 * so that a test can put a clock of its own in its place (an enabled {@code @Alternative}) and step through a
 * certificate's life or an interval instead of waiting for it.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
