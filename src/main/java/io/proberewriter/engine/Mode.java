package io.proberewriter.engine;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What to do with an HTTP probe that mTLS would break; the values of {@code probe-rewriter.io/mode}. */
public enum Mode {
    /** The seeds' first workaround: call the app over localhost from inside the container. */
    EXEC("exec"),
    /** The seeds' second workaround: probe a dedicated plaintext health port. */
    PORT("port"),
    /** Leave the probes as they are. */
    OFF("off");

    private final String value;

    Mode(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<Mode> parse(String value) {
        return Arrays.stream(values()).filter(m -> m.value.equals(value)).findFirst();
    }

    /** The accepted values, as written in warnings and docs. */
    public static String accepted() {
        return Arrays.stream(values()).map(Mode::value).collect(Collectors.joining(", "));
    }
}
