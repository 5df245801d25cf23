package io.proberewriter.engine;

import java.util.Map;

/**
 * The API server refuses an object whose annotations, keys and values together, exceed 256 KiB, counted in UTF-8
 * bytes (its {@code ValidateAnnotationsSize}). It checks after the mutating webhooks, so a rewrite that pushes a pod
 * past the limit would get the pod refused: the record of original probes grows with every probe rewritten.
 */
final class AnnotationsSize {

    static final int LIMIT_BYTES = 256 * 1024;
    /** Why probes are left unchanged when the limit would be passed: a reason and a warning say it. */
    static final String OVER_THE_LIMIT = String.format(java.util.Locale.ROOT, "rewriting them would take the pod's"
            + " annotations past the API server's limit of %,d bytes (256 KiB, all annotations together), and the pod"
            + " would be refused", LIMIT_BYTES);
    /** The shortest status: "rewrote 1 probe: ". */
    private static final int STATUS_AT_LEAST = "rewrote 1 probe: ".length();

    private AnnotationsSize() {
    }

    /** The size the API server will count once {@code updates} are applied to {@code existing}. */
    static long after(Map<String, String> existing, Map<String, String> updates) {
        long total = 0;
        for (Map.Entry<String, String> e : existing.entrySet()) {
            if (!updates.containsKey(e.getKey())) {
                total += utf8Length(e.getKey()) + utf8Length(e.getValue());
            }
        }
        for (Map.Entry<String, String> e : updates.entrySet()) {
            total += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return total;
    }

    /**
     * At least what the annotations will count once something is rewritten: everything there now but the record and
     * the status (both written whole again, from what the pod holds and what is added), plus the smallest record and
     * status.
     */
    static long before(Map<String, String> existing) {
        long total = utf8Length(Annotations.ORIGINAL_PROBES) + "{}".length() + utf8Length(Annotations.STATUS)
                + STATUS_AT_LEAST;
        for (Map.Entry<String, String> e : existing.entrySet()) {
            if (!Annotations.ORIGINAL_PROBES.equals(e.getKey()) && !Annotations.STATUS.equals(e.getKey())) {
                total += utf8Length(e.getKey()) + utf8Length(e.getValue());
            }
        }
        return total;
    }

    /**
     * At least what one more probe adds: its entry in the record ({@code "key":{…}} and a comma) and in the status
     * ({@code key exec} or {@code key port}, and a separator).
     */
    static long recordedAtLeast(String key) {
        return 2 * utf8Length(key) + "\"\":{}".length() + " exec".length();
    }

    /** Without encoding: the record of a big pod is megabytes, and this runs on every admission. */
    static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // a lone surrogate counts as its replacement character would
            }
        }
        return bytes;
    }
}
