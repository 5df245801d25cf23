package io.proberewriter.engine;

import io.proberewriter.messages.Excerpt;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Applies the annotation contract: container annotation ▸ pod annotation ▸ namespace annotation ▸ global.
 * An invalid value blocks its own scope (a container, the pod, or — for a namespace value — every pod of the
 * namespace) so that no pod is ever half rewritten on the strength of a typo.
 */
final class SettingsResolver {

    /** A Kubernetes port name (IANA_SVC_NAME): up to 15 lowercase letters, digits and inner single dashes. */
    private static final Pattern PORT_NAME = Pattern.compile("^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$");
    private static final String HEALTH_PORT_ACCEPTED = "a port number 1-65535 or a port name of the container";
    private static final String PROBES_ACCEPTED = "a comma-separated list of liveness, readiness, startup";
    // Built once: they are passed for every container, whether or not it has an annotation to check.
    private static final String MODE_ACCEPTED = Mode.accepted();
    private static final String EXEC_COMMAND_ACCEPTED = ExecCommandStyle.accepted();
    /** Container names listed in a warning about a key that names none of them. */
    static final int NAMES_LISTED = 5;

    private final GlobalSettings global;

    SettingsResolver(GlobalSettings global) {
        this.global = global;
    }

    /** @param containerNames the pod's container names, in pod order, each once */
    PodSettings resolve(Map<String, String> podAnnotations, NamespaceContext namespace,
                        Set<String> containerNames) {
        List<String> warnings = new ArrayList<>();
        List<String> podProblems = new ArrayList<>();
        Map<String, String> containerProblems = new TreeMap<>();

        warnAboutUnknownKeys(podAnnotations, containerNames, warnings);

        Map<String, String> ns = namespace.annotations();
        Setting<Mode> mode = new Setting<>(global.mode(), "global default");
        Setting<ExecCommandStyle> style = new Setting<>(global.execCommand(), "global default");
        Setting<Set<ProbeKind>> kinds = new Setting<>(global.probeKinds(), "global default");

        mode = layer(mode, ns, Annotations.MODE, "namespace annotation", Mode::parse, MODE_ACCEPTED,
                "probes of this pod left unchanged", podProblems, warnings);
        style = layer(style, ns, Annotations.EXEC_COMMAND, "namespace annotation", ExecCommandStyle::parse,
                EXEC_COMMAND_ACCEPTED, "probes of this pod left unchanged", podProblems, warnings);

        mode = layer(mode, podAnnotations, Annotations.MODE, "pod annotation", Mode::parse, MODE_ACCEPTED,
                "probes of this pod left unchanged", podProblems, warnings);
        style = layer(style, podAnnotations, Annotations.EXEC_COMMAND, "pod annotation", ExecCommandStyle::parse,
                EXEC_COMMAND_ACCEPTED, "probes of this pod left unchanged", podProblems, warnings);
        kinds = layer(kinds, podAnnotations, Annotations.PROBES, "pod annotation", SettingsResolver::parseKinds,
                PROBES_ACCEPTED, "probes of this pod left unchanged", podProblems, warnings);
        Optional<Setting<String>> podHealthPort = Optional.empty();
        Setting<String> healthPort = layer(null, podAnnotations, Annotations.HEALTH_PORT, "pod annotation",
                SettingsResolver::parseHealthPort, HEALTH_PORT_ACCEPTED, "probes of this pod left unchanged",
                podProblems, warnings);
        if (healthPort != null) {
            podHealthPort = Optional.of(healthPort);
        }

        Map<String, ContainerSettings> containers = new LinkedHashMap<>();
        for (String name : containerNames) {
            List<String> problems = new ArrayList<>();
            String blocked = "probes of container " + name + " left unchanged";
            Setting<Mode> cMode = layer(mode, podAnnotations, Annotations.forContainer(Annotations.MODE, name),
                    "container annotation", Mode::parse, MODE_ACCEPTED, blocked, problems, warnings);
            Setting<ExecCommandStyle> cStyle = layer(style, podAnnotations,
                    Annotations.forContainer(Annotations.EXEC_COMMAND, name), "container annotation",
                    ExecCommandStyle::parse, EXEC_COMMAND_ACCEPTED, blocked, problems, warnings);
            Setting<String> cHealth = layer(podHealthPort.orElse(null), podAnnotations,
                    Annotations.forContainer(Annotations.HEALTH_PORT, name), "container annotation",
                    SettingsResolver::parseHealthPort, HEALTH_PORT_ACCEPTED, blocked, problems, warnings);
            if (!problems.isEmpty()) {
                containerProblems.put(name, String.join("; ", problems));
            }
            containers.put(name, new ContainerSettings(cMode, cStyle, Optional.ofNullable(cHealth), kinds));
        }
        Optional<String> podBlocked = podProblems.isEmpty() ? Optional.empty()
                : Optional.of(String.join("; ", podProblems));
        return new PodSettings(podBlocked, containerProblems, containers, List.copyOf(warnings));
    }

    /**
     * Returns the setting from {@code key} when present and valid, the inherited one when absent; an invalid
     * value is recorded as a problem of the scope and the inherited setting is returned.
     */
    private static <T> Setting<T> layer(Setting<T> inherited, Map<String, String> annotations, String key,
                                        String level, Function<String, Optional<T>> parser, String accepted,
                                        String consequence, List<String> problems, List<String> warnings) {
        String raw = annotations.get(key);
        if (raw == null) {
            return inherited;
        }
        Optional<T> parsed = parser.apply(raw.trim());
        if (parsed.isEmpty()) {
            // The value is quoted in the reason of every probe of the scope: an excerpt, however long it is.
            String problem = level + " " + key + "=\"" + Excerpt.of(raw) + "\" is invalid (accepted: " + accepted + ")";
            problems.add(problem);
            warnings.add(problem + ": " + consequence);
            return inherited;
        }
        return new Setting<>(parsed.get(), level + " " + key);
    }

    static Optional<Set<ProbeKind>> parseKinds(String raw) {
        if (raw.isBlank()) {
            return Optional.empty();
        }
        Set<ProbeKind> kinds = EnumSet.noneOf(ProbeKind.class);
        for (String word : raw.split(",", -1)) {
            Optional<ProbeKind> kind = ProbeKind.fromWord(word.trim());
            if (kind.isEmpty()) {
                return Optional.empty();
            }
            kinds.add(kind.get());
        }
        return Optional.of(Set.copyOf(kinds));
    }

    static Optional<String> parseHealthPort(String raw) {
        // ASCII digits only, as in every port list: Character.isDigit takes any script's digits, "٨٠٨٠" as 8080.
        if (!raw.isEmpty() && raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                int port = Integer.parseInt(raw);
                return port >= 1 && port <= 65535 ? Optional.of(Integer.toString(port)) : Optional.empty();
            } catch (NumberFormatException tooLong) {
                return Optional.empty();
            }
        }
        return PORT_NAME.matcher(raw).matches() ? Optional.of(raw) : Optional.empty();
    }

    /**
     * Typos in our own annotations would otherwise be silently ignored. One warning per key, each of bounded length:
     * a pod may carry thousands of such keys and thousands of containers.
     */
    private static void warnAboutUnknownKeys(Map<String, String> annotations, Set<String> containerNames,
                                             List<String> warnings) {
        String containers = null;
        for (String key : new TreeMap<>(annotations).keySet()) {
            if (!key.startsWith(Annotations.PREFIX) || Annotations.PER_CONTAINER.contains(key)
                    || Annotations.POD_ONLY.contains(key)) {
                continue;
            }
            Optional<String> base = Annotations.PER_CONTAINER.stream()
                    .filter(b -> key.startsWith(b + ".")).findFirst();
            if (Annotations.NAMESPACE_ONLY.contains(key)) {
                warnings.add("annotation " + key + " belongs on the namespace: on a pod it has no effect");
            } else if (base.isPresent()) {
                String container = key.substring(base.get().length() + 1);
                if (!containerNames.contains(container)) {
                    containers = containers != null ? containers : someOf(containerNames);
                    warnings.add("annotation " + key + " names no container of this pod (containers: " + containers
                            + ")");
                }
            } else {
                warnings.add("unknown annotation " + key + " is ignored (a typo? see docs/annotations.md)");
            }
        }
    }

    /** Enough names to spot the typo, and how many more there are: "a, b, c, d, e and 19,995 more". */
    static String someOf(Set<String> names) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (String name : names) {
            if (shown == NAMES_LISTED) {
                return out.append(String.format(Locale.ROOT, " and %,d more", names.size() - shown)).toString();
            }
            out.append(shown == 0 ? "" : ", ").append(Excerpt.of(name));
            shown++;
        }
        return shown == 0 ? "none" : out.toString();
    }
}
