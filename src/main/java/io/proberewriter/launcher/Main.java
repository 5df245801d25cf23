package io.proberewriter.launcher;

import io.proberewriter.cli.OfflineCommandLine;
import io.proberewriter.tls.InMemoryKeyProtection;
import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.Set;
import picocli.CommandLine;

/**
 * Decides before anything boots what this run is. Serving needs Quarkus: the HTTPS server, the management port and
 * the informers start with the application. The operator ({@code operate}) needs Quarkus but not the HTTPS port:
 * the process that holds write rights must open no port the cluster can call, so the listener is switched off here,
 * before the application starts it. The offline commands need none of it — they must open no port, read no
 * certificate and start fast — so they run as plain picocli commands and Quarkus is never started for them. A command
 * line that means nothing to the commands is refused the same way, before a port opens.
 */
@QuarkusMain
public final class Main {

    /**
     * Commands that work offline. {@code operate} runs the operator; anything else — no arguments, {@code serve} —
     * serves.
     */
    static final Set<String> OFFLINE_COMMANDS = Set.of("rewrite", "analyze");
    /** Options that only print, wherever they appear ({@code serve --help} must not start a server). */
    static final Set<String> PRINT_ONLY = Set.of("-h", "--help", "-V", "--version");

    /** The command that runs the webhook, also what no command does. */
    static final String SERVE_COMMAND = "serve";

    /** The command that runs the operator alone. */
    static final String OPERATOR_COMMAND = "operate";

    public static void main(String... args) {
        if (offline(args)) {
            System.exit(OfflineCommandLine.create().execute(args));
        }
        if (operator(args)) {
            // System properties outrank the environment and application.properties: no setting reopens the port.
            System.setProperty("quarkus.http.host-enabled", "false");
            // The shutdown delay is for a Service's endpoints to let go of a replica; no Service sends to this
            // process, and the sooner it stops, the sooner the next leader writes.
            System.setProperty("quarkus.shutdown.delay", "0s");
        }
        if (training(args)) {
            args = ClassDataTraining.prepare();
        }
        boolean servesAsDeployed = servesAsDeployed(args);
        if (!servesAsDeployed && !operatesAsDeployed(args)) {
            // Quarkus' picocli runner parses only once the application has started: a mistyped option would open the
            // port, report ready for a moment, then take the graceful shutdown's delay to exit. Refused here instead,
            // by the same command tree, with the same message, usage and exit code.
            CommandLine commandLine = OfflineCommandLine.create();
            if (!parses(commandLine, args)) {
                System.exit(commandLine.execute(args));
            }
        }
        // Before the TLS registry reads the first certificate: see InMemoryKeyProtection for why.
        InMemoryKeyProtection.applyUnlessSet();
        Quarkus.run(servesAsDeployed ? ServeApplication.class : PicocliRunner.class, args);
    }

    /** No command, or {@code serve} and nothing else: what the image runs, with nothing for picocli to parse. */
    static boolean servesAsDeployed(String... args) {
        return args.length == 0 || (args.length == 1 && SERVE_COMMAND.equals(args[0]));
    }

    /** {@code operate} and nothing else: what the operator's Deployment runs. */
    static boolean operatesAsDeployed(String... args) {
        return args.length == 1 && OPERATOR_COMMAND.equals(args[0]);
    }

    /** Whether the command line means something to probe-rewriter's commands; nothing runs. */
    static boolean parses(CommandLine commandLine, String... args) {
        try {
            commandLine.parseArgs(args);
            return true;
        } catch (CommandLine.ParameterException e) {
            return false;
        }
    }

    static boolean operator(String... args) {
        return args.length > 0 && OPERATOR_COMMAND.equals(args[0]);
    }

    static boolean training(String... args) {
        return args.length == 1 && ClassDataTraining.COMMAND.equals(args[0]);
    }

    static boolean offline(String... args) {
        return (args.length > 0 && OFFLINE_COMMANDS.contains(args[0])) || Arrays.stream(args).anyMatch(PRINT_ONLY::contains);
    }
}
