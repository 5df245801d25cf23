package io.proberewriter.webhook;

import io.proberewriter.json.EightBytes;

/**
 * Whether bytes are well-formed UTF-8 (the Unicode standard's table 3-7: no overlong forms, no surrogates, nothing
 * past U+10FFFF, no byte 0xC0, 0xC1 or 0xF5 to 0xFF, no sequence cut short).
 *
 * <p>The webhook reads a small body with Jackson's byte parser, which decodes some ill-formed sequences its own way
 * (an overlong {@code C0 9E} becomes U+001E, where every other decoder, the API server's included, makes U+FFFD) and
 * whose symbol table mistakes a name holding 0xFF for a known one; the JDK's decoder, used for the other bodies,
 * replaces every ill-formed sequence. A body that is not well-formed therefore takes that other path, and each body
 * is read one way whatever its size. The API server only ever sends well-formed UTF-8, so that path is for hostile
 * or broken senders alone.
 */
final class WellFormedUtf8 {

    private WellFormedUtf8() {
    }

    static boolean check(byte[] bytes) {
        int i = 0;
        int end = bytes.length;
        while (i < end) {
            // Eight ASCII bytes passed in one test.
            if (i + Long.BYTES <= end && (EightBytes.at(bytes, i) & EightBytes.HIGH_BITS) == 0) {
                i += Long.BYTES;
                continue;
            }
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int length = sequenceLength(bytes, i, lead);
            if (length == 0) {
                return false;
            }
            i += length;
        }
        return true;
    }

    /** The length of the well-formed sequence that starts with {@code lead} at {@code at}, or 0 if it is not one. */
    private static int sequenceLength(byte[] bytes, int at, int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return continuation(bytes, at + 1, 0x80, 0xBF) ? 2 : 0;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            // E0 would otherwise allow overlong forms, ED the surrogates U+D800 to U+DFFF.
            int low = lead == 0xE0 ? 0xA0 : 0x80;
            int high = lead == 0xED ? 0x9F : 0xBF;
            return continuation(bytes, at + 1, low, high) && continuation(bytes, at + 2, 0x80, 0xBF) ? 3 : 0;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            // F0 would otherwise allow overlong forms, F4 code points past U+10FFFF.
            int low = lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xF4 ? 0x8F : 0xBF;
            return continuation(bytes, at + 1, low, high) && continuation(bytes, at + 2, 0x80, 0xBF)
                    && continuation(bytes, at + 3, 0x80, 0xBF) ? 4 : 0;
        }
        return 0;
    }

    private static boolean continuation(byte[] bytes, int at, int low, int high) {
        if (at >= bytes.length) {
            return false;
        }
        int b = bytes[at] & 0xFF;
        return b >= low && b <= high;
    }
}
