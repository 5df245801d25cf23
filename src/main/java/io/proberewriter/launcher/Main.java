package io.proberewriter.launcher;

import io.proberewriter.cli.OfflineCommandLine;
import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.Set;

/**
 * Decides before anything boots whether this run serves or works offline. Serving needs Quarkus: the HTTPS
 * server, the management port and the informers start with the application. The offline commands need none of
 * it — they must open no port, read no certificate and start fast — so they run as plain picocli commands and
 * Quarkus is never started for them.
 */
@QuarkusMain
public final class Main {

    /** Commands that work offline. Anything else — no arguments, {@code serve} — serves. */
    static final Set<String> OFFLINE_COMMANDS = Set.of("rewrite", "analyze");
    /** Options that only print, wherever they appear ({@code serve --help} must not start a server). */
    static final Set<String> PRINT_ONLY = Set.of("-h", "--help", "-V", "--version");

    public static void main(String... args) {
        if (offline(args)) {
            System.exit(OfflineCommandLine.create().execute(args));
        }
        Quarkus.run(PicocliRunner.class, args);
    }

    static boolean offline(String... args) {
        return (args.length > 0 && OFFLINE_COMMANDS.contains(args[0])) || Arrays.stream(args).anyMatch(PRINT_ONLY::contains);
    }
}
