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
 * stdout or stderr of the offline commands, written as picocli's own writers write them (buffered, flushed at each
 * line) but in UTF-8 and straight to the file descriptor, keeping the {@link IOException} of a
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

    /**
     * In UTF-8 whatever the locale: manifests are UTF-8 text (kubectl reads nothing else), and JDK 17 takes the
     * charset of a process without LANG (a CI container, a Helm post-renderer's environment) as ASCII, where every
     * other character came out as '?', values of ConfigMaps and annotations changed without a word.
     */
    static StandardStream stdout() {
        return over(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8);
    }

    /** UTF-8 too: messages quote names and values from the manifests, as kubectl's do. */
    static StandardStream stderr() {
        return over(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8);
    }

    /** A writer over any stream, for tests to hand the commands a stream that fails. */
    static StandardStream over(OutputStream stream, Charset charset) {
        return new StandardStream(new Recording(new BufferedWriter(new OutputStreamWriter(stream, charset))));
    }

    /** The first write or flush that failed, or null. */
    IOException failure() {
        return recording.failure;
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
