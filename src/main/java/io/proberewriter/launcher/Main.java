package io.proberewriter.launcher;

import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.Set;

/**
 * Chooses the configuration profile before Quarkus boots. The webhook's HTTPS server, management port and
 * informers start with the application, before picocli picks a command; the offline commands must open no port
 * and need no certificate, so they run under the {@code cli} profile, which turns all of that off.
 */
@QuarkusMain
public final class Main {

    /** Commands that work offline. Anything else — no arguments, {@code serve} — serves. */
    static final Set<String> OFFLINE_COMMANDS = Set.of("rewrite", "analyze", "help");
    /** Options that only print, wherever they appear ({@code serve --help} must not start a server). */
    static final Set<String> PRINT_ONLY = Set.of("-h", "--help", "-V", "--version");

    private Main() {
    }

    public static void main(String... args) {
        if (offline(args) && System.getProperty("quarkus.profile") == null && System.getenv("QUARKUS_PROFILE") == null) {
            System.setProperty("quarkus.profile", "cli");
        }
        Quarkus.run(PicocliRunner.class, args);
    }

    static boolean offline(String... args) {
        return (args.length > 0 && OFFLINE_COMMANDS.contains(args[0])) || Arrays.stream(args).anyMatch(PRINT_ONLY::contains);
    }
}
