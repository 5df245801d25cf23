package io.proberewriter.operator;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * Whether this replica runs the reconcilers now, exported as {@code probe_rewriter_operator_leader} (1 or 0) by the
 * operator's process only. Without it nothing said that no replica was running them: a Lease that no replica could
 * take, an operator crash-looping, and the certificates went unrenewed, the port exceptions unwritten and the audit
 * silent, while ProbeRewriterPodsWithBrokenProbes even resolved, its gauge gone with the leader. Its alert,
 * ProbeRewriterOperatorNotLeading, fires when no replica reports 1.
 */
@Singleton
public class Leadership {

    static final String GAUGE = "probe_rewriter_operator_leader";

    private volatile boolean started;
    private volatile boolean electionEnabled;
    private volatile boolean leading;

    /** The reconcilers have started; {@code electionEnabled}: they run only while this replica holds the Lease. */
    void started(MeterRegistry registry, boolean electionEnabled) {
        this.electionEnabled = electionEnabled;
        this.started = true;
        // Registered here, in the operator's process only: the webhook's replicas say nothing of the operator.
        Gauge.builder(GAUGE, this, Leadership::value)
                .description("1 while this replica runs the operator's reconcilers (it holds the Lease), else 0")
                .strongReference(true)
                .register(registry);
    }

    /** The reconcilers have stopped (the process is stopping). */
    void stopped() {
        started = false;
    }

    /** The leader election's callbacks: this replica took the Lease, or lost it. */
    void leading(boolean leading) {
        this.leading = leading;
    }

    double value() {
        return started && (!electionEnabled || leading) ? 1 : 0;
    }
}
