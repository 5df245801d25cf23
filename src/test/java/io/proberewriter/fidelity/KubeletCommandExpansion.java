package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kubelet does to an exec probe's command before running it (pkg/kubelet/container's
 * ExpandContainerCommandOnlyStatic): {@code $(NAME)} becomes the value of the container's env var NAME as written
 * in the pod ({@code ""} for one set by {@code valueFrom}; nothing is resolved), an unknown NAME stays as written,
 * {@code $$} becomes {@code $}, and any other {@code $} stays. Hooks' commands are not expanded.
 */
public final class KubeletCommandExpansion {

    private KubeletCommandExpansion() {
    }

    public static List<String> expand(List<String> command, List<EnvVar> containerEnv) {
        Map<String, String> values = new HashMap<>();
        for (EnvVar env : containerEnv) {
            values.put(env.getName(), env.getValue() == null ? "" : env.getValue());
        }
        return command.stream().map(argument -> expand(argument, values)).toList();
    }

    static String expand(String input, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < input.length()) {
            char c = input.charAt(i);
            if (c != '$' || i + 1 == input.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = input.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '(') {
                int close = input.indexOf(')', i + 2);
                if (close < 0) {
                    // An unterminated reference is kept as written, the scan going on after "$(".
                    out.append("$(");
                    i += 2;
                } else {
                    String name = input.substring(i + 2, close);
                    out.append(values.getOrDefault(name, "$(" + name + ")"));
                    i = close + 1;
                }
            } else {
                out.append('$').append(next);
                i += 2;
            }
        }
        return out.toString();
    }
}
