package io.proberewriter.portexceptions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proberewriter.config.ConfigMappings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A resync period that cannot work stops startup, named with its environment variable. */
class PortExceptionsSettingsCheckTest {

    private static PortExceptionsConfig config(Map<String, String> values) {
        return ConfigMappings.read(PortExceptionsConfig.class, values);
    }

    @Test
    void defaultsPassAndABusyLoopIsNamed() {
        assertEquals(List.of(), new PortExceptionsSettingsCheck(config(Map.of())).problems());
        assertEquals(List.of("probe-rewriter.operator.port-exceptions.resync-period=PT0.5S must be at least PT1S"
                        + " (PROBE_REWRITER_OPERATOR_PORT_EXCEPTIONS_RESYNC_PERIOD)"),
                new PortExceptionsSettingsCheck(config(Map.of(
                        "probe-rewriter.operator.port-exceptions.resync-period", "500ms"))).problems());
    }
}
