package io.proberewriter.engine;

import java.util.Set;

/**
 * The annotation contract users see (docs/annotations.md). The names are fixed: extend, never rename.
 * Keys marked per-container also accept a {@code .<container>} suffix.
 */
public final class Annotations {
    public static final String PREFIX = "probe-rewriter.io/";

    public static final String ENABLED_LABEL = PREFIX + "enabled";
    public static final String MODE = PREFIX + "mode";
    public static final String HEALTH_PORT = PREFIX + "health-port";
    public static final String EXEC_COMMAND = PREFIX + "exec-command";
    public static final String PROBES = PREFIX + "probes";
    public static final String MTLS_PORTS = PREFIX + "mtls-ports";
    public static final String REMEDIATE = PREFIX + "remediate";
    /** Namespace annotation: the ports that may become plaintext health ports in port mode (see HealthPortPolicy). */
    public static final String ALLOWED_HEALTH_PORTS = PREFIX + "allowed-health-ports";

    /** Written by the rewrite: {@code "<container>/<kind>"} → the original probe, as JSON. */
    public static final String ORIGINAL_PROBES = PREFIX + "original-probes";
    /** Written by the rewrite: a short summary of what was done. */
    public static final String STATUS = PREFIX + "status";

    /** Istio's own HTTP probe rewrite; where it is on, Istio's pilot-agent handles the probes. */
    public static final String ISTIO_REWRITE_APP_HTTP_PROBERS = "sidecar.istio.io/rewriteAppHTTPProbers";
    /** The default inbound interception exclusion, extended with the health port in port mode. */
    public static final String ISTIO_EXCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/excludeInboundPorts";
    /** The ports Istio's sidecar captures; a list other than {@code "*"} makes Istio ignore the exclusions. */
    public static final String ISTIO_INCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/includeInboundPorts";

    static final Set<String> PER_CONTAINER = Set.of(MODE, HEALTH_PORT, EXEC_COMMAND);
    static final Set<String> POD_ONLY = Set.of(PROBES, MTLS_PORTS, ORIGINAL_PROBES, STATUS);
    static final Set<String> NAMESPACE_ONLY = Set.of(REMEDIATE, ALLOWED_HEALTH_PORTS);

    private Annotations() {
    }

    /** The key for one container, e.g. {@code probe-rewriter.io/mode.web}. */
    public static String forContainer(String key, String container) {
        return key + "." + container;
    }
}
