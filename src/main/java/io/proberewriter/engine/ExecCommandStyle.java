package io.proberewriter.engine;

import java.util.Arrays;
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
    PROBER("prober", null);

    private final String value;
    private final HttpCheckCommand command;

    ExecCommandStyle(String value, HttpCheckCommand command) {
        this.value = value;
        this.command = command;
    }

    public String value() {
        return value;
    }

    /** The shell tool's command line; the prober has none here, see {@link ProberCommand}. */
    public HttpCheckCommand command() {
        if (command == null) {
            throw new IllegalStateException(value + " is not a shell tool: ExecConversion calls ProberCommand");
        }
        return command;
    }

    public static Optional<ExecCommandStyle> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    public static String accepted() {
        return Arrays.stream(values()).map(ExecCommandStyle::value).collect(Collectors.joining(", "));
    }
}
