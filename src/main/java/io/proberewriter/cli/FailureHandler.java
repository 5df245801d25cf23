package io.proberewriter.cli;

import io.proberewriter.manifest.ManifestException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;

/**
 * Maps failures to the documented exit codes: bad input, and output that could not be written, are the user's to
 * fix; anything else is our bug.
 */
final class FailureHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        if (e instanceof ManifestException || e instanceof OutputException) {
            commandLine.getErr().println("error: " + e.getMessage());
            commandLine.getErr().flush();
            return ExitCodes.BAD_INPUT;
        }
        commandLine.getErr().println("internal error (please report it): " + e);
        e.printStackTrace(commandLine.getErr());
        return ExitCodes.INTERNAL_ERROR;
    }

    /** The command line as users get it; tests build the same one without a container. */
    static CommandLine configure(CommandLine commandLine) {
        return commandLine.setExecutionExceptionHandler(new FailureHandler());
    }
}
