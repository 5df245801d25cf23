package io.proberewriter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.Mode;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.mtls.MtlsResolver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The configuration mapping read by SmallRye as the application reads it, and the startup check on top. */
class SettingsCheckTest {

    private static ProbeRewriterConfig config(Map<String, String> values) {
        return ConfigMappings.read(ProbeRewriterConfig.class, values);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ProbeRewriterConfig defaults = config(Map.of());
        assertEquals(Mode.EXEC, defaults.mode());
        assertEquals(ExecCommandStyle.PROBER, defaults.execCommand());
        assertEquals(Set.of(ProbeKind.values()), defaults.probes());
        assertEquals(List.of("traffic.sidecar.istio.io/excludeInboundPorts"), defaults.exclusionAnnotations());
        assertEquals("/etc/probe-rewriter/tls/tls.crt", defaults.tls().certFile());
        assertEquals("/etc/probe-rewriter/tls/tls.key", defaults.tls().keyFile());
        assertEquals(Duration.ofSeconds(30), defaults.tls().reloadPeriod());
        assertTrue(defaults.namespaces().watch());
        assertEquals(20, defaults.webhook().maxWarnings());
        assertEquals(Duration.ofSeconds(10), defaults.webhook().headerTimeout());
        assertEquals(Duration.ofSeconds(30), defaults.webhook().bodyTimeout());
        assertEquals(Duration.ofSeconds(120), defaults.webhook().idleTimeout());
        assertEquals(TlsEngine.OPENSSL, defaults.webhook().tlsEngine());
        assertEquals(MtlsResolver.AUTO, defaults.mtls().resolver());
        assertEquals("istio-system", defaults.mtls().istio().rootNamespace());
        assertFalse(defaults.mtls().istio().globalMtls());
        assertTrue(defaults.mtls().istio().rewritesProbes().isEmpty(), "unset: the injector's ConfigMap or the era decides");
        assertEquals("istio-system", defaults.mtls().istio().namespace());
        assertEquals("probe-rewriter-system", defaults.namespace());
        assertEquals(TlsSource.FILES, defaults.tls().source());
        assertEquals("probe-rewriter-tls", defaults.tls().secretName());
        assertEquals("probe-rewriter-operator", defaults.operator().leaseName());
        var certificates = defaults.operator().certificates();
        assertTrue(certificates.enabled());
        assertEquals("probe-rewriter-ca", certificates.caSecretName());
        assertEquals("probe-rewriter", certificates.webhookConfiguration());
        assertEquals("probe-rewriter", certificates.serviceName());
        assertEquals(Duration.ofDays(1825), certificates.caValidity());
        assertEquals(Duration.ofDays(90), certificates.servingValidity());
        assertEquals(Duration.ofMinutes(1), certificates.caPropagation());
        assertEquals(List.of(), SettingsCheck.problems(defaults));
    }

    @Test
    void aRetiredSettingIsNamedWithWhatReplacedIt() {
        Map<String, String> set = Map.of("probe-rewriter.operator.enabled", "false");
        List<String> warnings = SettingsCheck.retired(name -> java.util.Optional.ofNullable(set.get(name)));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("probe-rewriter.operator.enabled is no longer read"), warnings.get(0));
        assertTrue(warnings.get(0).contains("operate"), warnings.get(0));
        assertTrue(SettingsCheck.retired(name -> java.util.Optional.empty()).isEmpty());
    }

    @Test
    void resolverNamesAreTheDocumentedOnes() {
        assertEquals(MtlsResolver.ASSUME_ALL, config(Map.of("probe-rewriter.mtls.resolver", "assume-all")).mtls().resolver());
        assertEquals(MtlsResolver.ISTIO, config(Map.of("probe-rewriter.mtls.resolver", "istio")).mtls().resolver());
        assertEquals(MtlsResolver.ANNOTATION, config(Map.of("probe-rewriter.mtls.resolver", "annotation")).mtls().resolver());
    }

    @Test
    void valuesThatParseButMakeNoSenseAreNamed() {
        List<String> problems = SettingsCheck.problems(config(Map.of(
                "probe-rewriter.tls.reload-period", "0s", "probe-rewriter.webhook.max-warnings", "0")));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("probe-rewriter.tls.reload-period=PT0S must be at least 1s"), problems.get(0));
        assertTrue(problems.get(1).contains("probe-rewriter.webhook.max-warnings=0 must be at least 1"), problems.get(1));
    }

    @Test
    void anExclusionAnnotationTheApiServerWouldRefuseIsNamed() {
        List<String> problems = SettingsCheck.problems(config(Map.of(
                "probe-rewriter.exclusion-annotations", "traffic.sidecar.istio.io/excludeInboundPorts,Bad Key")));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("probe-rewriter.exclusion-annotations: 'Bad Key' is not an annotation"
                + " key"), problems.get(0));
    }

    @Test
    void requestTimeoutsUnderASecondAreNamed() {
        List<String> problems = SettingsCheck.problems(config(Map.of(
                "probe-rewriter.webhook.header-timeout", "0s", "probe-rewriter.webhook.body-timeout", "500ms",
                "probe-rewriter.webhook.idle-timeout", "0")));
        assertEquals(List.of(
                "probe-rewriter.webhook.header-timeout=PT0S must be at least PT1S (PROBE_REWRITER_WEBHOOK_HEADER_TIMEOUT)",
                "probe-rewriter.webhook.body-timeout=PT0.5S must be at least PT1S (PROBE_REWRITER_WEBHOOK_BODY_TIMEOUT)",
                "probe-rewriter.webhook.idle-timeout=PT0S must be at least PT1S (PROBE_REWRITER_WEBHOOK_IDLE_TIMEOUT)"),
                problems);
    }

    @Test
    void theTlsEngineIsOneOfTwoAndAnyOtherIsNamedWithThem() {
        assertEquals(TlsEngine.JDK, config(Map.of("probe-rewriter.webhook.tls-engine", "jdk")).webhook().tlsEngine());
        Exception refused = assertThrows(Exception.class,
                () -> config(Map.of("probe-rewriter.webhook.tls-engine", "boringssl")).webhook().tlsEngine());
        String message = String.valueOf(refused.getMessage()) + " " + refused.getCause();
        assertTrue(message.contains("boringssl") && message.contains("allowed values") && message.contains("openssl")
                && message.contains("jdk"), message);
    }

    @Test
    void aConnectionLimitUnderOneIsNamed() {
        assertEquals(4096, config(Map.of()).webhook().maxConnections());
        assertEquals(List.of("probe-rewriter.webhook.max-connections=0 must be at least 1"
                + " (PROBE_REWRITER_WEBHOOK_MAX_CONNECTIONS)"),
                SettingsCheck.problems(config(Map.of("probe-rewriter.webhook.max-connections", "0"))));
    }

    @Test
    void certificateLifetimesThatCannotWorkAreNamed() {
        List<String> problems = SettingsCheck.problems(config(Map.of(
                "probe-rewriter.operator.certificates.serving-validity", "1s",
                "probe-rewriter.operator.certificates.ca-validity", "2s",
                "probe-rewriter.operator.certificates.ca-propagation", "1s")));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("probe-rewriter.operator.certificates.serving-validity=PT1S must be at"
                + " least 3s"), problems.get(0));
        assertTrue(problems.get(1).startsWith("probe-rewriter.operator.certificates.ca-propagation=PT1S must be at"
                + " least 0 and shorter than a third of the CA validity PT2S"), problems.get(1));
        assertTrue(SettingsCheck.problems(config(Map.of(
                "probe-rewriter.operator.certificates.ca-validity", "1h",
                "probe-rewriter.operator.certificates.serving-validity", "2h"))).get(0)
                .startsWith("probe-rewriter.operator.certificates.ca-validity=PT1H must be at least the serving"));
    }

    @Test
    void auditIntervalsThatCannotWorkAreNamed() {
        assertEquals(List.of(), SettingsCheck.problems(ConfigMappings.read(AuditConfig.class, Map.of())));
        assertEquals(List.of(
                        "probe-rewriter.operator.audit.recheck-interval=PT0S must be at least PT1S"
                                + " (PROBE_REWRITER_OPERATOR_AUDIT_RECHECK_INTERVAL)",
                        "probe-rewriter.operator.audit.remediation-interval=PT10S must be at least PT1M"
                                + " (PROBE_REWRITER_OPERATOR_AUDIT_REMEDIATION_INTERVAL)"),
                SettingsCheck.problems(ConfigMappings.read(AuditConfig.class, Map.of(
                        "probe-rewriter.operator.audit.recheck-interval", "0s",
                        "probe-rewriter.operator.audit.remediation-interval", "10s"))));
    }

    @Test
    void aPortExceptionResyncThatCannotWorkIsNamed() {
        assertEquals(List.of(), SettingsCheck.problems(ConfigMappings.read(PortExceptionsConfig.class, Map.of())));
        assertEquals(List.of("probe-rewriter.operator.port-exceptions.resync-period=PT0.5S must be at least PT1S"
                        + " (PROBE_REWRITER_OPERATOR_PORT_EXCEPTIONS_RESYNC_PERIOD)"),
                SettingsCheck.problems(ConfigMappings.read(PortExceptionsConfig.class, Map.of(
                        "probe-rewriter.operator.port-exceptions.resync-period", "500ms"))));
    }

    @Test
    void settingsReachTheEngine() {
        var settings = new GlobalSettingsProducer().globalSettings(config(Map.of("probe-rewriter.mode", "port",
                "probe-rewriter.exec-command", "wget", "probe-rewriter.probes", "readiness",
                "probe-rewriter.proxy-containers", "my-proxy")));
        assertEquals(Mode.PORT, settings.mode());
        assertEquals(ExecCommandStyle.WGET, settings.execCommand());
        assertEquals(Set.of(ProbeKind.READINESS), settings.probeKinds());
        assertEquals(Set.of("my-proxy"), settings.proxyContainers());
    }
}
