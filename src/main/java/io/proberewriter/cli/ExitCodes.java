package io.proberewriter.cli;

/** Exit codes of the CLI, documented in docs/cli.md. */
public final class ExitCodes {
    public static final int OK = 0;
    /** {@code analyze}: at least one probe that mTLS breaks was found. */
    public static final int FINDINGS = 1;
    /** Bad input or bad flags: the message on stderr says what and where. */
    public static final int BAD_INPUT = 2;
    /** A bug of ours: the message asks for a report. */
    public static final int INTERNAL_ERROR = 3;

    private ExitCodes() {
    }
}
