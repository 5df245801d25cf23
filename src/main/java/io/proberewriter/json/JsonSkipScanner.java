package io.proberewriter.json;

import java.util.Arrays;

/**
 * Finds where a JSON object or array ends, checking on the way that everything inside it is JSON that Jackson's
 * parser, as the webhook configures it, would read without an error — but building nothing: no tokens, no names
 * in the symbol table, no numbers in a text buffer.
 *
 * <p>It is the webhook's skip of the fields the engine never reads (managed fields, env vars), which Jackson does by
 * reading every token, names through its symbol table, and which was the largest single cost of admitting a typical
 * pod. The scanner is allowed to be stricter than Jackson, never more lenient: whenever it meets anything it does not
 * accept (a syntax error, a comment, a number or name longer than the limits, nesting deeper than allowed, the end
 * of the input) it answers {@link #UNSURE}, and the caller lets Jackson read the same bytes, which then skips them
 * or reports its own error at its own location. So a body is accepted or refused exactly as before, and refusals
 * read the same.
 *
 * <p>The grammar is RFC 8259's with Jackson's defaults: no comments, no trailing commas, no leading zeros, no
 * NaN, no single quotes, no unquoted names, no unescaped control characters in strings, only the standard escapes.
 * Multi-byte UTF-8 sequences are checked the way Jackson checks them while skipping a string (a valid lead byte and
 * the right number of continuation bytes). Line breaks are counted so that the parser's locations after the skip
 * stay right.
 */
final class JsonSkipScanner {

    /** The scan found something it does not vouch for: let the parser read the same bytes. */
    static final int UNSURE = -1;

    /** What a byte inside a string asks of the scan: nothing, the end, an escape, a multi-byte lead, an error. */
    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte BACKSLASH = 2;
    private static final byte CONTROL_OR_INVALID = 3;
    private static final byte LEAD_OF_2 = 4;
    private static final byte LEAD_OF_3 = 5;
    private static final byte LEAD_OF_4 = 6;
    private static final byte[] IN_STRING = new byte[256];

    /** One in each of eight bytes, to make a byte value into eight. */
    private static final long ONES = 0x0101010101010101L;

    static {
        for (int b = 0; b < 0x20; b++) {
            IN_STRING[b] = CONTROL_OR_INVALID;
        }
        IN_STRING['"'] = QUOTE;
        IN_STRING['\\'] = BACKSLASH;
        for (int b = 0x80; b < 0x100; b++) {
            if ((b & 0xE0) == 0xC0) {
                IN_STRING[b] = LEAD_OF_2;
            } else if ((b & 0xF0) == 0xE0) {
                IN_STRING[b] = LEAD_OF_3;
            } else if ((b & 0xF8) == 0xF0) {
                IN_STRING[b] = LEAD_OF_4;
            } else {
                IN_STRING[b] = CONTROL_OR_INVALID;
            }
        }
    }

    private final int maxNameBytes;
    private final int maxNumberChars;
    private boolean[] isObject = new boolean[16];

    /** Line breaks met by the last successful scan, and the offset just after the last of them (or -1). */
    private int lineBreaks;
    private int lastLineStart;

    /**
     * @param maxNameBytes longest field name accepted (a name of more bytes is left to the parser, which may refuse it)
     * @param maxNumberChars longest number accepted
     */
    JsonSkipScanner(int maxNameBytes, int maxNumberChars) {
        this.maxNameBytes = maxNameBytes;
        this.maxNumberChars = maxNumberChars;
    }

    int lineBreaks() {
        return lineBreaks;
    }

    int lastLineStart() {
        return lastLineStart;
    }

    /**
     * Scans the rest of the object or array whose opening bracket is just before {@code from}.
     *
     * @param json the input
     * @param from the offset just after the opening bracket
     * @param end the end of the input (exclusive)
     * @param object whether the opening bracket was {@code '{'}
     * @param maxDepth how many containers may be open at once, the one being scanned included
     * @return the offset just after the matching closing bracket, or {@link #UNSURE}
     */
    int skipRest(byte[] json, int from, int end, boolean object, int maxDepth) {
        lineBreaks = 0;
        lastLineStart = -1;
        if (maxDepth < 1) {
            return UNSURE;
        }
        int depth = 0;
        push(depth++, object);
        int i = from;
        // At the start of a container: its closing bracket, or its first member.
        boolean atContainerStart = true;
        while (true) {
            i = skipWhitespace(json, i, end);
            if (i >= end) {
                return UNSURE;
            }
            int c = json[i];
            boolean inObject = isObject[depth - 1];
            if (atContainerStart && c == (inObject ? '}' : ']')) {
                i++;
                if (--depth == 0) {
                    return i;
                }
            } else {
                if (inObject) {
                    if (c != '"') {
                        return UNSURE;
                    }
                    int nameStart = i + 1;
                    i = skipString(json, nameStart, end);
                    if (i == UNSURE || i - 1 - nameStart > maxNameBytes) {
                        return UNSURE;
                    }
                    i = skipWhitespace(json, i, end);
                    if (i >= end || json[i] != ':') {
                        return UNSURE;
                    }
                    i = skipWhitespace(json, i + 1, end);
                    if (i >= end) {
                        return UNSURE;
                    }
                    c = json[i];
                }
                // A value.
                if (c == '{' || c == '[') {
                    if (depth >= maxDepth) {
                        return UNSURE;
                    }
                    push(depth++, c == '{');
                    i++;
                    atContainerStart = true;
                    continue;
                }
                i = skipScalar(json, i, end, c);
                if (i == UNSURE) {
                    return UNSURE;
                }
            }
            // After a value (an empty container is one): a comma and the next member, or closing brackets.
            atContainerStart = false;
            while (true) {
                i = skipWhitespace(json, i, end);
                if (i >= end) {
                    return UNSURE;
                }
                c = json[i];
                if (c == ',') {
                    i++;
                    break;
                }
                if (c != (isObject[depth - 1] ? '}' : ']')) {
                    return UNSURE;
                }
                i++;
                if (--depth == 0) {
                    return i;
                }
            }
        }
    }

    private void push(int depth, boolean object) {
        if (depth == isObject.length) {
            isObject = Arrays.copyOf(isObject, depth * 2);
        }
        isObject[depth] = object;
    }

    /**
     * The API server writes JSON without whitespace, so this is nearly always one test: kept under C1's inlining
     * limit (35 bytes of bytecode) so that the test is made in place, without a call per token (with the eight-byte
     * string loop, a sixth off skipping the typical pod under C1: docs/benchmarks.md), and the loop is in a method of
     * its own.
     */
    private int skipWhitespace(byte[] json, int i, int end) {
        return i < end && json[i] > ' ' ? i : skipWhitespaceRun(json, i, end);
    }

    private int skipWhitespaceRun(byte[] json, int i, int end) {
        while (i < end) {
            int c = json[i];
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '\n') {
                lineBreak(++i);
            } else if (c == '\r') {
                // Jackson counts "\r\n" as one line break, and a lone '\r' as one.
                if (++i < end && json[i] == '\n') {
                    i++;
                }
                lineBreak(i);
            } else {
                return i;
            }
        }
        return i;
    }

    private void lineBreak(int nextLineStart) {
        lineBreaks++;
        lastLineStart = nextLineStart;
    }

    private int skipScalar(byte[] json, int i, int end, int c) {
        return switch (c) {
            case '"' -> skipString(json, i + 1, end);
            case 't' -> skipLiteral(json, i, end, "true");
            case 'f' -> skipLiteral(json, i, end, "false");
            case 'n' -> skipLiteral(json, i, end, "null");
            default -> c == '-' || (c >= '0' && c <= '9') ? skipNumber(json, i, end) : UNSURE;
        };
    }

    /** From just after the opening quote to just after the closing one. */
    private static int skipString(byte[] json, int i, int end) {
        while (true) {
            // The run of plain bytes in loops of their own: eight at a time while they last, then byte by byte to
            // the byte that is not plain. Measured twice as fast as one switch for every byte; the eight-byte loop
            // twice as fast again on long values under C1, as the image runs, and a little slower on short ones with
            // both compilers (docs/benchmarks.md).
            while (i + Long.BYTES <= end && allPlain(EightBytes.at(json, i))) {
                i += Long.BYTES;
            }
            while (i < end && IN_STRING[json[i] & 0xFF] == PLAIN) {
                i++;
            }
            if (i >= end) {
                return UNSURE;
            }
            switch (IN_STRING[json[i++] & 0xFF]) {
                case QUOTE:
                    return i;
                case BACKSLASH:
                    i = skipEscape(json, i, end);
                    break;
                case LEAD_OF_2:
                    i = skipContinuations(json, i, end, 1);
                    break;
                case LEAD_OF_3:
                    i = skipContinuations(json, i, end, 2);
                    break;
                case LEAD_OF_4:
                    i = skipContinuations(json, i, end, 3);
                    break;
                default:
                    return UNSURE;
            }
            if (i == UNSURE) {
                return UNSURE;
            }
        }
    }

    /**
     * Whether none of the eight bytes ends a string or needs a look: no quote, no backslash, no control character,
     * nothing from 0x80 up (a multi-byte sequence, checked byte by byte). The tests are the "is any byte zero" and
     * "is any byte below n" of the bit-twiddling folklore, which answer exactly whether there is one (the second once
     * bytes from 0x80 up are ruled out, as the high-bit test here does), so a run is never taken for plain when it is
     * not; which byte it is, the byte loop finds.
     */
    private static boolean allPlain(long eight) {
        long control = (eight - ONES * 0x20) & ~eight;
        long quote = eight ^ (ONES * '"');
        long backslash = eight ^ (ONES * '\\');
        long quoteFound = (quote - ONES) & ~quote;
        long backslashFound = (backslash - ONES) & ~backslash;
        return ((eight | control | quoteFound | backslashFound) & EightBytes.HIGH_BITS) == 0;
    }

    /** From just after the backslash. */
    private static int skipEscape(byte[] json, int i, int end) {
        if (i >= end) {
            return UNSURE;
        }
        switch (json[i]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return i + 1;
            case 'u':
                if (i + 4 >= end) {
                    return UNSURE;
                }
                for (int k = 1; k <= 4; k++) {
                    if (Character.digit(json[i + k], 16) < 0) {
                        return UNSURE;
                    }
                }
                return i + 5;
            default:
                return UNSURE;
        }
    }

    private static int skipContinuations(byte[] json, int i, int end, int count) {
        if (i + count > end) {
            return UNSURE;
        }
        for (int k = 0; k < count; k++) {
            if ((json[i + k] & 0xC0) != 0x80) {
                return UNSURE;
            }
        }
        return i + count;
    }

    private static int skipLiteral(byte[] json, int i, int end, String literal) {
        int length = literal.length();
        if (i + length > end) {
            return UNSURE;
        }
        for (int k = 0; k < length; k++) {
            if (json[i + k] != literal.charAt(k)) {
                return UNSURE;
            }
        }
        // What may follow ("truex" is an error) is checked by the caller: only whitespace, ',' or a closing bracket.
        return i + length;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, no longer than the limit. */
    private int skipNumber(byte[] json, int i, int end) {
        int start = i;
        if (json[i] == '-') {
            i++;
        }
        if (i >= end) {
            return UNSURE;
        }
        if (json[i] == '0') {
            i++;
        } else {
            int digitsFrom = i;
            i = skipDigits(json, i, end);
            if (i == digitsFrom) {
                return UNSURE;
            }
        }
        if (i < end && json[i] == '.') {
            int digitsFrom = ++i;
            i = skipDigits(json, i, end);
            if (i == digitsFrom) {
                return UNSURE;
            }
        }
        if (i < end && (json[i] == 'e' || json[i] == 'E')) {
            i++;
            if (i < end && (json[i] == '+' || json[i] == '-')) {
                i++;
            }
            int digitsFrom = i;
            i = skipDigits(json, i, end);
            if (i == digitsFrom) {
                return UNSURE;
            }
        }
        // A digit right after the number ("01") is refused by the caller, as anything but ',' or a bracket is.
        return i - start > maxNumberChars ? UNSURE : i;
    }

    private static int skipDigits(byte[] json, int i, int end) {
        while (i < end && json[i] >= '0' && json[i] <= '9') {
            i++;
        }
        return i;
    }
}
