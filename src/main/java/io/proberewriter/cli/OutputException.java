package io.proberewriter.cli;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Output that did not all get written: a full disk, a file size limit, stdout closed by the program reading it. The
 * run must not end as if it had succeeded (a truncated manifest with exit code 0 gets applied); exit code 2.
 */
final class OutputException extends Exception {

    private OutputException(String message, IOException cause) {
        super(message, cause);
    }

    /**
     * Flushes {@code writer} and throws if anything written to it so far failed. {@code what} names the output in the
     * message: "the output" for stdout, "to stderr" for stderr.
     */
    static void check(PrintWriter writer, String what) throws OutputException {
        writer.flush();
        if (!writer.checkError()) {
            return;
        }
        IOException cause = writer instanceof StandardStream stream ? stream.failure() : null;
        String reason = cause == null || cause.getMessage() == null || cause.getMessage().isBlank()
                ? "the write failed" : cause.getMessage();
        if (reason.toLowerCase(java.util.Locale.ROOT).contains("broken pipe")) {
            reason += " (what reads it stopped reading before the end)";
        }
        throw new OutputException("cannot write " + what + ": " + reason, cause);
    }
}
