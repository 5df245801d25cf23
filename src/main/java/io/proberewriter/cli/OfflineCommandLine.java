package io.proberewriter.cli;

import picocli.CommandLine;

/** The command line for offline runs, without Quarkus: the same commands, exit codes and messages. */
public final class OfflineCommandLine {

    private OfflineCommandLine() {
    }

    public static CommandLine create() {
        return FailureHandler.configure(new CommandLine(new ProbeRewriterCommand()));
    }
}
