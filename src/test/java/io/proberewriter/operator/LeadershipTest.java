package io.proberewriter.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * probe_rewriter_operator_leader says whether this replica runs the reconcilers: 1 only while it does, so that
 * ProbeRewriterOperatorNotLeading fires when no replica does (docs/operations.md#proberewriteroperatornotleading).
 */
class LeadershipTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Leadership leadership = new Leadership();

    private double gauge() {
        Gauge gauge = registry.find("probe_rewriter_operator_leader").gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void onlyTheOperatorsProcessExportsItOnceItsReconcilersStart() {
        leadership.leading(true);
        assertNull(registry.find("probe_rewriter_operator_leader").gauge(), "not before the operator starts");
        leadership.started(registry, true);
        assertEquals(1.0, gauge());
    }

    @Test
    void withLeaderElectionItFollowsTheLease() {
        leadership.started(registry, true);
        assertEquals(0.0, gauge(), "started, waiting for the Lease another replica holds");
        leadership.leading(true);
        assertEquals(1.0, gauge(), "holding it");
        leadership.leading(false);
        assertEquals(0.0, gauge(), "lost it");
    }

    @Test
    void withoutLeaderElectionTheStartedReconcilersRun() {
        leadership.started(registry, false);
        assertEquals(1.0, gauge());
        leadership.stopped();
        assertEquals(0.0, gauge(), "stopping: the reconcilers are stopped");
    }
}
