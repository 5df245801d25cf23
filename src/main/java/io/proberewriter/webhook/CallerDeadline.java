package io.proberewriter.webhook;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When the caller stops waiting for an answer. The API server tells every webhook: it adds the time left of the
 * call's context, the webhook's {@code timeoutSeconds} at most, as the {@code timeout} query parameter, in Go's
 * duration format rounded up to whole seconds ({@code /mutate?timeout=5s}). Work that would end after it is wasted:
 * the API server has closed the connection, and reports a timeout rather than what the webhook would have said.
 */
final class CallerDeadline {

    /** One term of a Go duration: {@code 1h2m3.5s} is three, {@code 500ms} one. */
    private static final Pattern TERM = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern DURATION = Pattern.compile("(?:" + TERM.pattern() + ")+");

    /** Longer than any webhook may be given (30 s): a larger value is read as this much. */
    private static final long LONGEST_MILLIS = 3_600_000;

    private CallerDeadline() {
    }

    /**
     * The milliseconds a duration in Go's format stands for, rounded down; empty when {@code timeout} is absent or not
     * such a duration (then the caller's deadline is unknown).
     */
    static OptionalLong millis(String timeout) {
        if (timeout == null || timeout.length() > 64 || !DURATION.matcher(timeout).matches()) {
            return OptionalLong.empty();
        }
        double total = 0;
        Matcher term = TERM.matcher(timeout);
        while (term.find()) {
            total += Double.parseDouble(term.group(1)) * unitMillis(term.group(2));
        }
        return OptionalLong.of((long) Math.min(total, LONGEST_MILLIS));
    }

    private static double unitMillis(String unit) {
        return switch (unit) {
            case "h" -> 3_600_000;
            case "m" -> 60_000;
            case "s" -> 1_000;
            case "ms" -> 1;
            case "ns" -> 1e-6;
            default -> 1e-3; // us, µs, μs
        };
    }

    /**
     * How long a request may wait before its own handling starts: {@code longest}, cut to what the caller's
     * {@code timeout} leaves after {@code elapsedMillis} since it arrived and {@code handlingMillis} for the handling
     * itself; never below zero (then only what is free at once is taken).
     */
    static long waitMillis(String timeout, long elapsedMillis, long handlingMillis, long longest) {
        OptionalLong given = millis(timeout);
        if (given.isEmpty()) {
            return longest;
        }
        return Math.max(0, Math.min(longest, given.getAsLong() - elapsedMillis - handlingMillis));
    }
}
