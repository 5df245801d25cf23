package io.proberewriter.portexceptions;

import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.RewriteResult;
import java.util.Comparator;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A plaintext health port the engine points a probe at in port mode — moved there, or already there — read from the
 * engine's own decisions, so that the operator never disagrees with the webhook about which port that is.
 *
 * @param port      the container port number ({@code portLevelMtls} keys are numbers, never names)
 * @param container the container that serves it, for messages
 */
record HealthPort(int port, String container) {

    static final Comparator<HealthPort> ORDER = Comparator.comparingInt(HealthPort::port)
            .thenComparing(HealthPort::container);

    /** The health ports of the probes {@code result} puts on one, in port mode. */
    static SortedSet<HealthPort> of(RewriteResult result) {
        SortedSet<HealthPort> ports = new TreeSet<>(ORDER);
        for (ProbeDecision decision : result.decisions()) {
            decision.healthPort().ifPresent(port -> ports.add(new HealthPort(port, decision.container().name())));
        }
        return ports;
    }
}
