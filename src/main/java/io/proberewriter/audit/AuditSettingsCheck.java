package io.proberewriter.audit;

import io.proberewriter.config.SettingsProblems;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Audit intervals that would turn it into a busy loop, or restart controllers back to back. */
@Singleton
class AuditSettingsCheck implements SettingsProblems {

    private final AuditConfig config;

    AuditSettingsCheck(AuditConfig config) {
        this.config = config;
    }

    @Override
    public List<String> problems() {
        return Stream.of(
                        SettingsProblems.atLeast("probe-rewriter.operator.audit.recheck-interval",
                                config.recheckInterval(), Duration.ofSeconds(1)),
                        SettingsProblems.atLeast("probe-rewriter.operator.audit.event-interval",
                                config.eventInterval(), Duration.ofSeconds(1)),
                        SettingsProblems.atLeast("probe-rewriter.operator.audit.remediation-interval",
                                config.remediationInterval(), Duration.ofMinutes(1)))
                .flatMap(Optional::stream)
                .toList();
    }
}
