package io.proberewriter.messages;

/**
 * How a value taken from the user's own object (an annotation, a label) appears in our messages: whole when it is
 * short, otherwise its beginning and its length.
 *
 * <p>Mutating webhooks see a pod before the API server validates it, so an annotation value may be megabytes long.
 * Messages that quote one are repeated for every probe of the pod (in decisions, warnings and {@code --explain}); a
 * value quoted whole would make the work and the output grow with probes × value size.
 */
public final class Excerpt {

    /** Longer than any value the annotations and labels we quote accept, so that valid values are quoted whole. */
    static final int MAX_CHARS = 100;

    private Excerpt() {
    }

    /**
     * The value itself when at most {@value #MAX_CHARS} characters long, else its start, "…" and its length; null
     * stays null.
     */
    public static String of(String value) {
        if (value == null || value.length() <= MAX_CHARS) {
            return value;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--; // never split a character in two
        }
        return value.substring(0, end) + "… (" + value.length() + " characters)";
    }
}
