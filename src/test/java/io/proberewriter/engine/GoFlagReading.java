package io.proberewriter.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the prober reads a command line (src/main/go/prober/main.go, then Go's {@code flag} package for a check's
 * arguments), written out step by step as a reference for {@link ProberCommand}: the first argument picks the command,
 * then each argument is a flag ({@code -name}, {@code --name}, either with {@code =value} or followed by its value)
 * until one that is no flag ({@code -} alone, or anything not starting with {@code -}) or {@code --}.
 */
final class GoFlagReading {

    /** What the prober makes of a command line. */
    enum Verdict {
        /** Every flag is one this release defines for the check (values and the rest are judged later). */
        KNOWN,
        /** A command or a flag this release does not define: a newer release's, or a mistake. */
        UNDEFINED,
        /** No release can read it ({@code ---x}, {@code -=x}): Go refuses the syntax, whatever flags exist. */
        BAD_SYNTAX
    }

    /** The commands main.go dispatches on that take no flags of their own. */
    private static final Set<String> OTHER_COMMANDS = Set.of("install", "version", "--version", "help", "-h",
            "--help");

    private GoFlagReading() {
    }

    /** @param argv the whole command, the binary first */
    static Verdict verdict(List<String> argv) {
        if (argv.size() < 2 || argv.get(1) == null) {
            return Verdict.UNDEFINED;
        }
        String command = argv.get(1);
        Set<String> defined = ProberCommand.FLAGS.get(command);
        if (defined == null) {
            return OTHER_COMMANDS.contains(command) ? Verdict.KNOWN : Verdict.UNDEFINED;
        }
        Optional<Map<String, List<String>>> flags = flags(argv.subList(2, argv.size()));
        if (flags.isEmpty()) {
            return Verdict.BAD_SYNTAX;
        }
        return defined.containsAll(flags.get().keySet()) ? Verdict.KNOWN : Verdict.UNDEFINED;
    }

    /**
     * The flags as Go's {@code FlagSet.Parse} reads them, every one taking a value, each name with its values in
     * order; empty on a syntax error. A flag without its value is kept with none (Go's error names the value).
     */
    static Optional<Map<String, List<String>>> flags(List<String> arguments) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String s = arguments.get(i);
            if (s == null || s.length() < 2 || s.charAt(0) != '-') {
                break;
            }
            int minuses = 1;
            if (s.charAt(1) == '-') {
                minuses = 2;
                if (s.length() == 2) {
                    break;
                }
            }
            String name = s.substring(minuses);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                return Optional.empty();
            }
            String value = null;
            int equals = name.indexOf('=', 1);
            if (equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < arguments.size()) {
                value = arguments.get(++i);
            }
            List<String> values = flags.computeIfAbsent(name, n -> new ArrayList<>());
            if (value != null) {
                values.add(value);
            }
        }
        return Optional.of(flags);
    }
}
