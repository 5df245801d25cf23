package io.proberewriter.portexceptions;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.mtls.IstioKind;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code probe_rewriter_port_exception_writes_total{kind, action}}: the policies the operator wrote and deleted. A
 * workload's policy is written once and then only when its plan changes, so a rate that does not fall back to zero
 * says something keeps undoing it (another controller deleting or reverting it, fought up to
 * {@link PortExceptionRateLimit}). Every series is registered at 0, as the webhook's are, so that the first write
 * after a start is seen by {@code increase()}.
 */
@Singleton
class PortExceptionWrites {

    static final String METRIC = "probe_rewriter_port_exception_writes";

    private final Map<String, Counter> written = new HashMap<>();
    private final Map<String, Counter> deleted = new HashMap<>();

    PortExceptionWrites(MeterRegistry registry) {
        // The kinds the operator writes: PeerAuthentication (v1 or v1beta1, one kind) and the seeds' Policy.
        for (IstioKind kind : IstioKind.values()) {
            if (kind != IstioKind.MESH_POLICY) {
                written.computeIfAbsent(kind.kind(), k -> counter(registry, k, "written"));
                deleted.computeIfAbsent(kind.kind(), k -> counter(registry, k, "deleted"));
            }
        }
    }

    private static Counter counter(MeterRegistry registry, String kind, String action) {
        return Counter.builder(METRIC).description("Port-exception policies written or deleted by the operator")
                .tag("kind", kind).tag("action", action).register(registry);
    }

    void written(IstioKind kind) {
        Counter counter = written.get(kind.kind());
        if (counter != null) {
            counter.increment();
        }
    }

    void deleted(IstioKind kind) {
        Counter counter = deleted.get(kind.kind());
        if (counter != null) {
            counter.increment();
        }
    }
}
