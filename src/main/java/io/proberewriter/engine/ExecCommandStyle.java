package io.proberewriter.engine;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The HTTP client an exec probe runs inside the container; the values of {@code probe-rewriter.io/exec-command}. */
public enum ExecCommandStyle {
    CURL("curl", new CurlCommand()),
    WGET("wget", new WgetCommand());

    private final String value;
    private final HttpCheckCommand command;

    ExecCommandStyle(String value, HttpCheckCommand command) {
        this.value = value;
        this.command = command;
    }

    public String value() {
        return value;
    }

    public HttpCheckCommand command() {
        return command;
    }

    public static Optional<ExecCommandStyle> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }

    public static String accepted() {
        return Arrays.stream(values()).map(ExecCommandStyle::value).collect(Collectors.joining(", "));
    }
}
