package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prober's command lines (docs/prober.md, a contract the prober only grows). The prober applies the kubelet's
 * own rules to what it is given, so the handler travels as the user wrote it: path, headers in their order, scheme.
 * Only the port is resolved (a named port means nothing inside the container) and the timeout made explicit.
 * Every value is one argument: no shell, nothing to quote, nothing to inject.
 */
final class ProberCommand {

    /** The User-Agent the prober sends unless told otherwise: the engine passes one only when it differs. */
    private static final String PROBER_USER_AGENT = GlobalSettings.DEFAULT_USER_AGENT;
    /** The kubelet names itself in hooks with the same version as in probes: kube-lifecycle/1.35. */
    private static final String PROBE_AGENT_PREFIX = "kube-probe/";
    private static final String HOOK_AGENT_PREFIX = "kube-lifecycle/";

    /**
     * The checks and flags this release's prober takes (src/main/go/prober/args.go); every flag takes a value. A
     * release may add to it, never take away or rename: a pod keeps the commands an older release wrote.
     */
    static final Map<String, Set<String>> FLAGS = Map.of(
            "http", Set.of("port", "host", "timeout", "scheme", "path", "header", "user-agent", "on-error"),
            "http-hook", Set.of("port", "host", "timeout", "scheme", "path", "header", "user-agent"),
            "tcp", Set.of("port", "host", "timeout"),
            "grpc", Set.of("port", "host", "timeout", "service", "user-agent"));

    /** The prober's commands that are no check (src/main/go/prober/main.go), as it spells them. */
    private static final Set<String> OTHER_COMMANDS = Set.of("install", "version", "--version", "help", "-h",
            "--help");

    private ProberCommand() {
    }

    /**
     * Whether this release's prober knows the check and every flag of a command that runs it. One that does not was
     * written by a newer release (or by hand, wrongly): only a prober at least that new runs it. Values and the
     * arguments that are not flags are the prober's to judge, not a sign of another release.
     */
    static boolean knownToThisRelease(List<String> argv) {
        // A pod's command is the sender's: a null (from a request no API server would send) is no known check, and
        // Map.of and List.of refuse to be asked about one.
        String check = argv.size() < 2 ? null : argv.get(1);
        if (check == null) {
            return false;
        }
        Set<String> flags = FLAGS.get(check);
        if (flags == null) {
            // The prober's other commands, in every spelling its main.go takes.
            return OTHER_COMMANDS.contains(check);
        }
        for (int i = 2; i < argv.size(); i++) {
            String argument = argv.get(i);
            // The prober (Go's flag package) stops reading flags at "--" and at the first argument that is no flag,
            // "-" alone included.
            if (argument == null || argument.length() < 2 || argument.charAt(0) != '-' || argument.equals("--")) {
                return true;
            }
            String name = argument.substring(argument.startsWith("--") ? 2 : 1);
            int equals = name.indexOf('=');
            if (equals >= 0) {
                name = name.substring(0, equals);
            } else {
                i++; // --name value
            }
            if (!flags.contains(name)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the prober's check goes, as a decision's reason says it: 127.0.0.1 first, and [::1] when nothing takes
     * the connection there (an app listening on IPv6 loopback only), since the engine never passes {@code --host}.
     */
    static String target(int port, String path) {
        return "127.0.0.1:" + port + path + " ([::1] if 127.0.0.1 refuses)";
    }

    /**
     * @param kind the probe the check stands for: a liveness probe passes when every attempt ends in a probe error
     *             ({@code --on-error pass}), since the kubelet discards such a result and so never restarts a
     *             container over it; readiness and startup keep the prober's default, fail, the state they start in
     */
    static List<String> http(HTTPGetAction get, int port, int timeoutSeconds, String userAgent, ProbeKind kind) {
        List<String> argv = httpArguments("http", get, port);
        userAgent(argv, userAgent);
        timeout(argv, timeoutSeconds);
        if (kind == ProbeKind.LIVENESS) {
            argv.add("--on-error");
            argv.add("pass");
        }
        return List.copyOf(argv);
    }

    /**
     * A lifecycle hook, judged as the kubelet's hook handler judges it. No timeout: the kubelet puts none on a hook's
     * request (a preStop hook is bounded by the pod's grace period, which bounds the exec hook the same way).
     */
    static List<String> httpHook(HTTPGetAction get, int port, String probeUserAgent) {
        List<String> argv = httpArguments("http-hook", get, port);
        String hookAgent = probeUserAgent.startsWith(PROBE_AGENT_PREFIX)
                ? HOOK_AGENT_PREFIX + probeUserAgent.substring(PROBE_AGENT_PREFIX.length()) : probeUserAgent;
        if (!hookAgent.equals(HOOK_AGENT_PREFIX + PROBER_USER_AGENT.substring(PROBE_AGENT_PREFIX.length()))) {
            argv.add("--user-agent");
            argv.add(hookAgent);
        }
        return List.copyOf(argv);
    }

    static List<String> tcp(int port, int timeoutSeconds) {
        List<String> argv = new ArrayList<>(List.of(ProberInjection.BINARY, "tcp", "--port", Integer.toString(port)));
        timeout(argv, timeoutSeconds);
        return List.copyOf(argv);
    }

    static List<String> grpc(GRPCAction grpc, int timeoutSeconds, String userAgent) {
        List<String> argv = new ArrayList<>(List.of(ProberInjection.BINARY, "grpc", "--port",
                Integer.toString(grpc.getPort())));
        if (grpc.getService() != null && !grpc.getService().isEmpty()) {
            argv.add("--service");
            argv.add(grpc.getService());
        }
        userAgent(argv, userAgent);
        timeout(argv, timeoutSeconds);
        return List.copyOf(argv);
    }

    private static List<String> httpArguments(String check, HTTPGetAction get, int port) {
        List<String> argv = new ArrayList<>(List.of(ProberInjection.BINARY, check, "--port", Integer.toString(port)));
        if (get.getScheme() != null && !get.getScheme().isEmpty()) {
            argv.add("--scheme");
            argv.add(get.getScheme());
        }
        if (get.getPath() != null && !get.getPath().isEmpty()) {
            argv.add("--path");
            argv.add(get.getPath());
        }
        List<HTTPHeader> headers = get.getHttpHeaders() == null ? List.of() : get.getHttpHeaders();
        for (HTTPHeader h : headers) {
            // One space after the colon, which the prober drops; the value follows untrimmed, as the kubelet sends it.
            argv.add("--header");
            argv.add(h.getName() + ": " + (h.getValue() == null ? "" : h.getValue()));
        }
        return argv;
    }

    private static void userAgent(List<String> argv, String userAgent) {
        if (!userAgent.equals(PROBER_USER_AGENT)) {
            argv.add("--user-agent");
            argv.add(userAgent);
        }
    }

    private static void timeout(List<String> argv, int timeoutSeconds) {
        argv.add("--timeout");
        argv.add(Integer.toString(Math.max(timeoutSeconds, LocalHttpCheck.DEFAULT_TIMEOUT_SECONDS)));
    }
}
