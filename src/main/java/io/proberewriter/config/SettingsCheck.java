package io.proberewriter.config;

import io.proberewriter.engine.ImageReference;
import io.proberewriter.engine.PortList;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Refuses to start on settings that parse but make no sense, naming each one and what it accepts: every check of
 * every setting (the webhook's, the audit's, the port exceptions') is here, beside the mappings.
 */
@Singleton
class SettingsCheck {

    private static final Logger LOG = Logger.getLogger(SettingsCheck.class);

    /** Settings no longer read, and what replaced them: set, they are named at startup instead of silently ignored. */
    static final Map<String, String> RETIRED = Map.of("probe-rewriter.operator.enabled",
            "`serve` never runs the operator any more; it runs in its own process, `operate` (the Deployment"
                    + " probe-rewriter-operator). Leave that Deployment out for a webhook that writes nothing");

    void check(@Observes StartupEvent event, ProbeRewriterConfig config, AuditConfig audit,
               PortExceptionsConfig portExceptions, Config raw) {
        retired(name -> raw.getOptionalValue(name, String.class)).forEach(LOG::warn);
        List<String> problems = new ArrayList<>(problems(config));
        problems.addAll(problems(audit));
        problems.addAll(problems(portExceptions));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** One line for each retired setting that is set, saying what to do instead. */
    static List<String> retired(Function<String, Optional<String>> lookup) {
        return RETIRED.entrySet().stream().filter(retired -> lookup.apply(retired.getKey()).isPresent()).sorted(
                Map.Entry.comparingByKey()).map(retired -> retired.getKey() + " is no longer read: "
                + retired.getValue()).toList();
    }

    static List<String> problems(ProbeRewriterConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.tls().reloadPeriod().compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("probe-rewriter.tls.reload-period=" + config.tls().reloadPeriod()
                    + " must be at least 1s (PROBE_REWRITER_TLS_RELOAD_PERIOD)");
        }
        if (config.webhook().maxWarnings() < 1) {
            problems.add("probe-rewriter.webhook.max-warnings=" + config.webhook().maxWarnings()
                    + " must be at least 1 (PROBE_REWRITER_WEBHOOK_MAX_WARNINGS)");
        }
        atLeast("probe-rewriter.webhook.header-timeout", config.webhook().headerTimeout(),
                Duration.ofSeconds(1)).ifPresent(problems::add);
        atLeast("probe-rewriter.webhook.body-timeout", config.webhook().bodyTimeout(),
                Duration.ofSeconds(1)).ifPresent(problems::add);
        atLeast("probe-rewriter.webhook.idle-timeout", config.webhook().idleTimeout(),
                Duration.ofSeconds(1)).ifPresent(problems::add);
        if (config.webhook().maxConnections() < 1) {
            problems.add("probe-rewriter.webhook.max-connections=" + config.webhook().maxConnections()
                    + " must be at least 1 (PROBE_REWRITER_WEBHOOK_MAX_CONNECTIONS)");
        }
        ProbeRewriterConfig.Operator.Certificates certificates = config.operator().certificates();
        if (certificates.servingValidity().compareTo(Duration.ofSeconds(3)) < 0) {
            problems.add("probe-rewriter.operator.certificates.serving-validity=" + certificates.servingValidity()
                    + " must be at least 3s (PROBE_REWRITER_OPERATOR_CERTIFICATES_SERVING_VALIDITY)");
        }
        if (certificates.caValidity().compareTo(certificates.servingValidity()) < 0) {
            problems.add("probe-rewriter.operator.certificates.ca-validity=" + certificates.caValidity()
                    + " must be at least the serving validity " + certificates.servingValidity()
                    + " (PROBE_REWRITER_OPERATOR_CERTIFICATES_CA_VALIDITY)");
        }
        // A new CA is made at two thirds of the old one's life and signs after the propagation delay: that delay
        // must end before the old CA expires, or serving certificates would be cut short to the old CA's end.
        if (certificates.caPropagation().isNegative()
                || certificates.caPropagation().compareTo(certificates.caValidity().dividedBy(3)) >= 0) {
            problems.add("probe-rewriter.operator.certificates.ca-propagation=" + certificates.caPropagation()
                    + " must be at least 0 and shorter than a third of the CA validity " + certificates.caValidity()
                    + " (PROBE_REWRITER_OPERATOR_CERTIFICATES_CA_PROPAGATION)");
        }
        ImageReference.problem(config.proberImage()).ifPresent(problem ->
                problems.add("probe-rewriter.prober-image=" + config.proberImage() + " " + problem));
        config.allowedHealthPorts().filter(ports -> PortList.parse(ports).isEmpty()).ifPresent(ports ->
                problems.add("probe-rewriter.allowed-health-ports=" + ports + " is invalid (accepted: "
                        + PortList.ACCEPTED + ") (PROBE_REWRITER_ALLOWED_HEALTH_PORTS)"));
        if (config.webhook().shutdownDelay().isNegative() || config.webhook().shutdownTimeout().isNegative()) {
            problems.add("probe-rewriter.webhook.shutdown-delay=" + config.webhook().shutdownDelay()
                    + " and shutdown-timeout=" + config.webhook().shutdownTimeout() + " must not be negative"
                    + " (PROBE_REWRITER_WEBHOOK_SHUTDOWN_DELAY, PROBE_REWRITER_WEBHOOK_SHUTDOWN_TIMEOUT)");
        }
        if (config.probes().isEmpty()) {
            problems.add("probe-rewriter.probes must name at least one of liveness, readiness, startup");
        }
        for (String key : config.exclusionAnnotations()) {
            // Written into every pod in port mode: a key the API server refuses would get each of them refused.
            ObjectNames.annotationKeyProblem(key).ifPresent(problem -> problems.add(
                    "probe-rewriter.exclusion-annotations: " + problem + " (PROBE_REWRITER_EXCLUSION_ANNOTATIONS)"));
        }
        return problems;
    }

    /** Audit intervals that would turn it into a busy loop, or restart controllers back to back. */
    static List<String> problems(AuditConfig audit) {
        return Stream.of(
                        atLeast("probe-rewriter.operator.audit.recheck-interval", audit.recheckInterval(),
                                Duration.ofSeconds(1)),
                        atLeast("probe-rewriter.operator.audit.event-interval", audit.eventInterval(),
                                Duration.ofSeconds(1)),
                        atLeast("probe-rewriter.operator.audit.remediation-interval", audit.remediationInterval(),
                                Duration.ofMinutes(1)))
                .flatMap(Optional::stream)
                .toList();
    }

    /** A resync period that would turn the port-exception reconcilers into a busy loop. */
    static List<String> problems(PortExceptionsConfig portExceptions) {
        return atLeast("probe-rewriter.operator.port-exceptions.resync-period", portExceptions.resyncPeriod(),
                Duration.ofSeconds(1)).stream().toList();
    }

    /** "property=value must be at least minimum (ENVIRONMENT_VARIABLE)", when the duration is shorter. */
    private static Optional<String> atLeast(String property, Duration value, Duration minimum) {
        if (value.compareTo(minimum) >= 0) {
            return Optional.empty();
        }
        String variable = property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return Optional.of(property + "=" + value + " must be at least " + minimum + " (" + variable + ")");
    }
}
