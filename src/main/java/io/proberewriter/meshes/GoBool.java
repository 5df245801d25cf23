package io.proberewriter.meshes;

import java.util.Optional;

/**
 * A boolean annotation as the meshes, written in Go, read theirs ({@code strconv.ParseBool}): {@code 1 t T TRUE true
 * True} and their false counterparts; anything else is no answer, so that {@code "tRuE"} or {@code "yes"} count as
 * unset exactly where the mesh would ignore them.
 */
public final class GoBool {

    private GoBool() {
    }

    public static Optional<Boolean> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }
}
