package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The HTTP client an exec probe runs inside the container; the values of {@code probe-rewriter.io/exec-command}. */
public enum ExecCommandStyle {
    CURL("curl", new CurlCommand()),
    WGET("wget", new WgetCommand()),
    /**
     * The prober injected into the pod (docs/prober.md): nothing needed in the image, and the kubelet's own HTTP
     * client, so it judges as the kubelet does. It is handed the probe itself rather than a worked-out check.
     */
    PROBER("prober", null) {
        /** The prober applies the kubelet's rules itself, so it is handed the handler as the user wrote it. */
        @Override
        HttpExec httpProbe(HTTPGetAction get, int port, Integer timeoutSeconds, String userAgent, PodOs os,
                           ProbeKind kind) {
            int timeout = timeoutSeconds == null ? LocalHttpCheck.DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
            return new HttpExec(ProberCommand.http(get, port, timeout, userAgent, kind), "the prober's http check of "
                    + ProberCommand.target(port, LocalHttpCheck.normalizePath(get.getPath())));
        }
    };

    /** An exec probe's command line, and the words that say what it checks (for the decision's reason). */
    record HttpExec(List<String> argv, String description) {
    }

    private final String value;
    private final HttpCheckCommand command;

    ExecCommandStyle(String value, HttpCheckCommand command) {
        this.value = value;
        this.command = command;
    }

    public String value() {
        return value;
    }

    /**
     * The command an {@code httpGet} probe becomes: for curl and wget, the kubelet's request worked out here
     * ({@link LocalHttpCheck}) and written as the tool's flags. {@code kind} matters only to the prober, which gives
     * a probe error (a result the kubelet throws away) the verdict that suits the probe.
     */
    HttpExec httpProbe(HTTPGetAction get, int port, Integer timeoutSeconds, String userAgent, PodOs os,
                       ProbeKind kind) {
        LocalHttpCheck local = LocalHttpCheck.of(get, port, timeoutSeconds, userAgent);
        return new HttpExec(command.argv(local, os), command.executable() + " against " + local.url());
    }

    /** The program an exec probe of this style runs, as the engine writes it first in the command. */
    String executable() {
        return command == null ? ProberInjection.BINARY : command.executable();
    }

    /**
     * Whether an exec handler runs one of these programs as the engine writes it (the prober's path, curl, wget): the
     * engine's own output, whichever style made it, even after the style's setting changed. Only the program is
     * compared, not the flags, which change with the settings (timeout, User-Agent) and between releases.
     */
    static boolean runsOneOf(Probe handler) {
        if (handler == null || handler.getExec() == null || handler.getExec().getCommand() == null
                || handler.getExec().getCommand().isEmpty()) {
            return false;
        }
        String program = handler.getExec().getCommand().get(0);
        for (ExecCommandStyle style : values()) {
            if (style.executable().equals(program)) {
                return true;
            }
        }
        return false;
    }

    public static Optional<ExecCommandStyle> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    public static String accepted() {
        return Arrays.stream(values()).map(ExecCommandStyle::value).collect(Collectors.joining(", "));
    }
}
