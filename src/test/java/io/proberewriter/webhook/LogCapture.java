package io.proberewriter.webhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The records one class (or package) logs while a test runs (the application logs through JUL's LogManager in
 * tests).
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    static LogCapture of(Class<?> source) {
        return of(source.getName());
    }

    /** The records of a logger and those below it: {@code io.proberewriter.tls} for every class of the package. */
    static LogCapture of(String loggerName) {
        LogCapture capture = new LogCapture(Logger.getLogger(loggerName));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** Whether a record at {@code level} was logged whose formatted message contains {@code text}. */
    boolean has(Level level, String text) {
        return records.stream().anyMatch(r -> r.getLevel().equals(level) && message(r).contains(text));
    }

    /** The records at {@code level} logged with a throwable: its stack trace goes to the log. */
    long withStackTrace(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level) && r.getThrown() != null).count();
    }

    /** The formatted messages of the records at {@code level}. */
    List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogCapture::message).toList();
    }

    private static String message(LogRecord record) {
        Object[] parameters = record.getParameters();
        String message = record.getMessage();
        try {
            return parameters == null || parameters.length == 0 ? message : String.format(message, parameters);
        } catch (java.util.IllegalFormatException notPrintfStyle) {
            return java.text.MessageFormat.format(message, parameters);
        }
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }

    @Override
    public String toString() {
        return records.stream().map(r -> r.getLevel() + " " + message(r)).collect(Collectors.joining("\n"));
    }
}
