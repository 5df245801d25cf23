package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Mode {@code exec}, the seeds' liveness command: the handler becomes an {@code exec} handler that makes the same
 * check from inside the container, on loopback, where the sidecar does not intercept. Every other probe field stays
 * as it was, and exactly one handler remains.
 *
 * <p>An {@code httpGet} probe runs the exec command the settings choose (the prober, curl or wget). A
 * {@code tcpSocket} or {@code grpc} probe and an {@code httpGet} hook always run the prober: no shell tool makes a
 * gRPC health call or judges a hook as the kubelet does.
 */
final class ExecConversion {

    private ExecConversion() {
    }

    /**
     * @param proberProblem why this handler cannot run the prober, if it cannot: the words after "left unchanged: "
     * @param os the system the container runs on, for curl's and wget's null device
     */
    static Outcome convert(HandlerKind kind, Probe original, int port, ContainerSettings settings, String mtlsRule,
                           String userAgent, Optional<String> proberProblem, PodOs os) {
        HTTPGetAction get = original.getHttpGet();
        if (get != null) {
            String problem = LocalHttpCheck.problemWith(get);
            if (problem != null) {
                return new Outcome.Unchanged(true, mtlsRule + "; left unchanged: " + problem, problem);
            }
        }
        boolean hook = kind instanceof HookKind;
        ExecCommandStyle style = settings.execCommand().value();
        boolean prober = hook || get == null || style == ExecCommandStyle.PROBER;
        if (prober && proberProblem.isPresent()) {
            String problem = proberProblem.get();
            return new Outcome.Unchanged(true, mtlsRule + "; left unchanged: " + problem, problem);
        }
        int timeout = original.getTimeoutSeconds() == null ? LocalHttpCheck.DEFAULT_TIMEOUT_SECONDS
                : original.getTimeoutSeconds();
        List<String> argv;
        String check;
        if (hook) {
            argv = ProberCommand.httpHook(get, port, userAgent);
            check = "the prober's http-hook of " + ProberCommand.target(port, pathOf(get));
        } else if (original.getTcpSocket() != null) {
            argv = ProberCommand.tcp(port, timeout);
            check = "the prober's tcp check of " + ProberCommand.target(port, "");
        } else if (original.getGrpc() != null) {
            argv = ProberCommand.grpc(original.getGrpc(), timeout, userAgent);
            String service = original.getGrpc().getService();
            check = "the prober's grpc health check of "
                    + (service == null || service.isEmpty() ? "" : "service " + service + " on ")
                    + ProberCommand.target(port, "");
        } else {
            // Not a hook, so one of the three probes.
            ExecCommandStyle.HttpExec exec = style.httpProbe(get, port, original.getTimeoutSeconds(), userAgent, os,
                    (ProbeKind) kind);
            argv = exec.argv();
            check = exec.description();
        }
        // A hook's command is run as written; a probe's is expanded by the kubelet first.
        Probe rewritten = HandlerReplacement.exec(original, hook ? argv : ExecProbeEscaping.escaped(argv));
        String reason = mtlsRule + "; now runs " + check + " inside the container (mode exec: "
                + settings.mode().source() + ")";
        return new Outcome.Rewritten(rewritten, Action.REWRITTEN_EXEC, reason, OptionalInt.empty());
    }

    private static String pathOf(HTTPGetAction get) {
        return LocalHttpCheck.normalizePath(get.getPath());
    }
}
