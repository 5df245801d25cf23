package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Output that does not all get written (a full disk, {@code ulimit -f}, stdout closed by its reader) ends the run with
 * exit code 2 and a message that says why: picocli's PrintWriter swallows the IOException, and a truncated manifest
 * with exit code 0 would be applied as if whole.
 */
class OutputFailureTest {

    private static final String INPUT = Path.of("src/test/resources/golden/mode-off-and-probe-selection/input.yaml")
            .toString();

    /** Takes {@code room} bytes, then fails as the operating system does. */
    private static final class FailingStream extends OutputStream {
        private final int room;
        private final String reason;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        FailingStream(int room, String reason) {
            this.room = room;
            this.reason = reason;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int fits = Math.min(length, room - written.size());
            written.write(bytes, offset, fits);
            if (fits < length) {
                throw new IOException(reason);
            }
        }
    }

    private record Run(int exitCode, String err) {
    }

    private static Run run(PrintWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = FailureHandler.configure(new CommandLine(new ProbeRewriterCommand()))
                .setOut(out)
                .setErr(new PrintWriter(err, true));
        return new Run(commandLine.execute(args), err.toString());
    }

    @Test
    void aFullDiskFailsTheRewriteAndSaysWhy() {
        FailingStream full = new FailingStream(0, "No space left on device");
        Run run = run(StandardStream.over(full, StandardCharsets.UTF_8), "rewrite", "-f", INPUT);
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("error: cannot write the output: No space left on device"), run.err());
    }

    @Test
    void aManifestCutShortIsNoSuccess() {
        // ulimit -f: the first blocks are written, then the file may grow no more.
        FailingStream limited = new FailingStream(512, "File too large");
        Run run = run(StandardStream.over(limited, StandardCharsets.UTF_8), "rewrite", "-f", INPUT);
        assertEquals(512, limited.written.size());
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("error: cannot write the output: File too large"), run.err());
    }

    @Test
    void analyzeOutputThatIsLostIsNotAFinding() {
        for (String format : new String[] {"text", "json"}) {
            FailingStream full = new FailingStream(0, "No space left on device");
            Run run = run(StandardStream.over(full, StandardCharsets.UTF_8), "analyze", "-f", INPUT, "-o", format);
            assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), format + ": " + run.err());
            assertTrue(run.err().contains("error: cannot write the output: No space left on device"), run.err());
            assertTrue(!run.err().contains("incompatible with mTLS;"), "no summary after the failure: " + run.err());
        }
    }

    @Test
    void aReaderThatStopsReadingIsSaidSo() {
        FailingStream closed = new FailingStream(100, "Broken pipe");
        Run run = run(StandardStream.over(closed, StandardCharsets.UTF_8), "rewrite", "-f", INPUT);
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("error: cannot write the output: Broken pipe (what reads it stopped reading"
                + " before the end)"), run.err());
    }

    @Test
    void anyWriterThatFailsFailsTheRun() {
        // A PrintWriter that is not ours keeps no cause: the failure is still reported.
        PrintWriter failing = new PrintWriter(new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                throw new IOException("gone");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        Run run = run(failing, "rewrite", "-f", INPUT);
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("error: cannot write the output: the write failed"), run.err());
    }

    @Test
    void aFailedStderrFailsTheRunToo() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = FailureHandler.configure(new CommandLine(new ProbeRewriterCommand()))
                .setOut(new PrintWriter(out, true))
                .setErr(StandardStream.over(new FailingStream(0, "Bad file descriptor"), StandardCharsets.UTF_8));
        assertEquals(ExitCodes.BAD_INPUT, commandLine.execute("rewrite", "--explain", "-f", INPUT));
        assertTrue(out.toString().contains("kind: Pod"), "stdout is written all the same");
    }

    @Test
    void outputThatIsWrittenStaysASuccess() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Run run = run(StandardStream.over(bytes, StandardCharsets.UTF_8), "rewrite", "-f", INPUT);
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertEquals(CliRun.of("rewrite", "-f", INPUT).out(), bytes.toString(StandardCharsets.UTF_8));
    }
}
