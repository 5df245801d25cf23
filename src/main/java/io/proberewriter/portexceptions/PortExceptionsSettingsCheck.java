package io.proberewriter.portexceptions;

import io.proberewriter.config.SettingsProblems;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/** A resync period that would turn the port-exception reconcilers into a busy loop. */
@Singleton
class PortExceptionsSettingsCheck implements SettingsProblems {

    private final PortExceptionsConfig config;

    PortExceptionsSettingsCheck(PortExceptionsConfig config) {
        this.config = config;
    }

    @Override
    public List<String> problems() {
        return SettingsProblems.atLeast("probe-rewriter.operator.port-exceptions.resync-period",
                config.resyncPeriod(), Duration.ofSeconds(1)).stream().toList();
    }
}
