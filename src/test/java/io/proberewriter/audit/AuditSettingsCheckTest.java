package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proberewriter.config.ConfigMappings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Audit intervals that cannot work stop startup, each named with its environment variable. */
class AuditSettingsCheckTest {

    private static AuditConfig config(Map<String, String> values) {
        return ConfigMappings.read(AuditConfig.class, values);
    }

    @Test
    void defaultsPassAndBusyLoopsAreNamed() {
        assertEquals(List.of(), new AuditSettingsCheck(config(Map.of())).problems());
        assertEquals(List.of(
                "probe-rewriter.operator.audit.recheck-interval=PT0S must be at least PT1S"
                        + " (PROBE_REWRITER_OPERATOR_AUDIT_RECHECK_INTERVAL)",
                "probe-rewriter.operator.audit.remediation-interval=PT10S must be at least PT1M"
                        + " (PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_INTERVAL)"),
                new AuditSettingsCheck(config(Map.of("probe-rewriter.operator.audit.recheck-interval", "0s",
                        "probe-rewriter.operator.audit.remediation-interval", "10s"))).problems());
    }
}
