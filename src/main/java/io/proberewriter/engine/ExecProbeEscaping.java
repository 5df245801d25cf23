package io.proberewriter.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The kubelet expands {@code $(NAME)} in an exec probe's command with the container's literal env values before it
 * runs it; it expands nothing in an {@code httpGet} probe's path or headers, nor in an exec hook's command. So a path
 * such as {@code /health?next=$(HOME)} or a header holding {@code $$} would reach the check changed once it became an
 * exec probe's argument. The expansion reads {@code $$} as one literal {@code $}, so doubling every {@code $} makes
 * each argument arrive as the user wrote it (docs/fidelity.md).
 */
final class ExecProbeEscaping {

    private ExecProbeEscaping() {
    }

    /** The probe's argv with every {@code $} doubled; the same list when there is none, as almost always. */
    static List<String> escaped(List<String> argv) {
        List<String> escaped = null;
        for (int i = 0; i < argv.size(); i++) {
            String argument = argv.get(i);
            if (argument.indexOf('$') < 0) {
                if (escaped != null) {
                    escaped.add(argument);
                }
                continue;
            }
            if (escaped == null) {
                escaped = new ArrayList<>(argv.subList(0, i));
            }
            escaped.add(argument.replace("$", "$$"));
        }
        return escaped == null ? argv : List.copyOf(escaped);
    }
}
