package io.proberewriter.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * stdout or stderr of the offline commands, written as picocli's own writers write them (buffered, in the charset
 * picocli picks, flushed at each line) but straight to the file descriptor, keeping the {@link IOException} of a
 * failed write. A {@link PrintWriter} swallows it and only {@link #checkError()} tells; and {@code System.out} is a
 * {@link java.io.PrintStream} that swallows it as well. "No space left on device" or "Broken pipe" is what the user
 * needs to read, so the first failure is kept for {@link OutputException} to name.
 */
final class StandardStream extends PrintWriter {

    private final Recording recording;

    private StandardStream(Recording recording) {
        super(recording, true);
        this.recording = recording;
    }

    static StandardStream stdout() {
        return over(new FileOutputStream(FileDescriptor.out), charset("sun.stdout.encoding"));
    }

    static StandardStream stderr() {
        return over(new FileOutputStream(FileDescriptor.err), charset("sun.stderr.encoding"));
    }

    /** A writer over any stream, for tests to hand the commands a stream that fails. */
    static StandardStream over(OutputStream stream, Charset charset) {
        return new StandardStream(new Recording(new BufferedWriter(new OutputStreamWriter(stream, charset))));
    }

    /** The first write or flush that failed, or null. */
    IOException failure() {
        return recording.failure;
    }

    /** What picocli 4.7 takes for its own writers: the console's encoding when Java knows it, else the default. */
    private static Charset charset(String property) {
        String name = System.getProperty(property);
        if (name == null) {
            return Charset.defaultCharset();
        }
        if ("cp65001".equalsIgnoreCase(name)) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }

    /** Passes everything on and remembers the first {@link IOException}, which it still throws to the writer. */
    private static final class Recording extends Writer {
        private final Writer delegate;
        private IOException failure;

        Recording(Writer delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            try {
                delegate.write(chars, offset, length);
            } catch (IOException e) {
                throw record(e);
            }
        }

        @Override
        public void write(String text, int offset, int length) throws IOException {
            try {
                delegate.write(text, offset, length);
            } catch (IOException e) {
                throw record(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                delegate.flush();
            } catch (IOException e) {
                throw record(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                delegate.close();
            } catch (IOException e) {
                throw record(e);
            }
        }

        private IOException record(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }
}
