package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.messages.Excerpt;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Mode {@code port}, the seeds' dedicated health port: the probe keeps its path and scheme but targets the
 * health port, which the caller then excludes from the mesh's inbound interception (plaintext as far as the mesh is
 * concerned; an HTTPS probe still speaks TLS to it, and is warned about). A probe that already
 * targets the health port — an app with a management port of its own, as Spring Boot, Quarkus or Keycloak serve
 * health on — is the seeds' workaround half done: it is kept, and only the exclusion is added.
 */
final class PortConversion {

    private PortConversion() {
    }

    /** Port mode was asked for and cannot apply: the probe stays broken, and the user must hear of it. */
    private static Outcome unusable(String mtlsRule, String problem) {
        return new Outcome.Unchanged(true, mtlsRule + "; left unchanged: " + problem, problem);
    }

    /**
     * A tcpSocket or grpc probe, or a hook: moving it to the health port would check something else (the health port
     * serves HTTP health checks, not the app's TCP listener, its gRPC service or its hook endpoint). Only exec mode,
     * with the prober inside the container, can keep what it checks; port mode says so and leaves it.
     */
    static Outcome notMovable(HandlerKind kind, Probe original, String mtlsRule) {
        String handler = original.getTcpSocket() != null ? "tcpSocket" : original.getGrpc() != null ? "grpc" : "httpGet";
        return unusable(mtlsRule, "port mode moves httpGet probes to a health port; a " + handler + " "
                + (kind instanceof HookKind ? "hook" : "probe") + " there would check something else: set "
                + Annotations.MODE + " to exec for this container, where the prober runs it inside the container");
    }

    /**
     * @param policy   which ports may become plaintext health ports here
     * @param istioCaptured the ports Istio's sidecar is told to capture, where it is given a list
     * @param appPorts ports probes of the pod target while not on their container's health port
     */
    static Outcome convert(Probe original, Container container, int probePort, ContainerSettings settings,
                           String mtlsRule, HealthPortPolicy policy, CapturedPorts istioCaptured,
                           Set<Integer> appPorts) {
        Optional<Setting<String>> health = settings.healthPort();
        if (health.isEmpty()) {
            return unusable(mtlsRule, "port mode needs a health port, set " + Annotations.HEALTH_PORT + " (or "
                    + Annotations.HEALTH_PORT + "." + container.getName()
                    + ") to a plaintext port the app serves health checks on");
        }
        PortResolution resolved = settings.resolvedHealthPort(container).orElseThrow();
        if (!resolved.ok()) {
            return unusable(mtlsRule, "health port from " + health.get().source() + ": " + resolved.problem());
        }
        Optional<String> refused = policy.refusal(resolved.port(), health.get().source(), container, appPorts);
        if (refused.isPresent()) {
            return unusable(mtlsRule, refused.get());
        }
        if (istioCaptured.lists(resolved.port())) {
            return unusable(mtlsRule, "health port " + resolved.port() + " is listed in "
                    + istioCaptured.source() + " (\"" + Excerpt.of(istioCaptured.list()) + "\"), and Istio ignores"
                    + " exclusions when that list names ports: its sidecar would still take the kubelet's plaintext"
                    + " request; take the port out of the list (" + Annotations.ISTIO_INCLUDE_INBOUND_PORTS + "), or"
                    + " use mode exec");
        }
        boolean https = "HTTPS".equalsIgnoreCase(original.getHttpGet().getScheme());
        if (resolved.port() == probePort) {
            String reason = mtlsRule + "; the probe already targets the "
                    + healthPort(probePort, health.get().source(), https) + ": kept as it is, the port excluded from interception (mode port: "
                    + settings.mode().source() + ")";
            return new Outcome.Rewritten(original, Action.KEPT_ON_HEALTH_PORT, reason, OptionalInt.of(probePort));
        }
        // Keep a named port as a name: the kubelet resolves it, and the manifest still reads as the user wrote it.
        IntOrString target = settings.healthPortByNumber() ? new IntOrString(resolved.port())
                : new IntOrString(health.get().value());
        Probe rewritten = HandlerReplacement.httpGetPort(original, target);
        String reason = mtlsRule + "; now probes " + healthPort(resolved.port(), health.get().source(), https)
                + ", excluded from interception (mode port: "
                + settings.mode().source() + ")";
        return new Outcome.Rewritten(rewritten, Action.REWRITTEN_PORT, reason, OptionalInt.of(resolved.port()),
                https ? tlsOnHealthPort(resolved.port()) : null);
    }

    /**
     * Outside mTLS, the health port is plaintext to the mesh; but an HTTPS probe still has the kubelet speak TLS to
     * it, so the words must not promise plaintext.
     */
    private static String healthPort(int port, String source, boolean https) {
        return https ? "health port " + port + " (" + source + ") with scheme HTTPS"
                : "plaintext health port " + port + " (" + source + ")";
    }

    /**
     * The scheme moves with the probe, and only the user knows whether the health port serves TLS: a Keycloak
     * management port follows the main server's TLS, a Quarkus management interface has none unless configured, a
     * Spring Boot one none with management.server.ssl.enabled=false. Where it has none, the kubelet's TLS handshake
     * fails every check ("server gave HTTP response to HTTPS client") and the pod restarts without end, so the person
     * applying it must hear of it.
     */
    private static String tlsOnHealthPort(int port) {
        // Short: admission warnings are cut at 256 characters, and this one has to say what to do.
        return "moved to health port " + port + " keeps scheme HTTPS: if the port serves plain HTTP, every check"
                + " fails; then give the probe port " + port + " and scheme HTTP yourself (port mode keeps it), or use"
                + " mode exec";
    }
}
