package io.proberewriter.cli;

import picocli.CommandLine;

/** The command line for offline runs, without Quarkus: the same commands, exit codes and messages. */
public final class OfflineCommandLine {

    private OfflineCommandLine() {
    }

    public static CommandLine create() {
        // stdout and stderr that keep the cause of a failed write, for the commands to report it (StandardStream).
        return FailureHandler.configure(new CommandLine(new ProbeRewriterCommand()))
                .setOut(StandardStream.stdout())
                .setErr(StandardStream.stderr());
    }
}
