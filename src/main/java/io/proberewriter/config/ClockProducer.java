package io.proberewriter.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The clock of whatever reads the time to decide (intervals, ages): the system's, in UTC. A default bean, so that a
 * test can put a clock it steps in its place instead of living through real intervals.
 */
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
