package io.proberewriter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner on its own: for JSON it finds the end of the container exactly, for anything Jackson refuses (with the
 * webhook's settings) it is unsure. Each input is a container followed by {@code #}, which must not be consumed.
 */
class JsonSkipScannerTest {

    private static final int MAX_NAME = 12;
    private static final int MAX_NUMBER = 10;

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "{ }", "[\t]", "[\r\n]", "{\"a\":1}", "{\"a\" : [1, 2.5, -3e+7, 0, -0.0, 1E-2, 0e0]}",
        "[true,false,null]", "[[[[]]],{},[{}]]", "{\"\":\"\"}", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"]",
        "[\"é€😀\"]", "{\"k:{\\\"n\\\":1}\":{\".\":{}}}", "[\n  1,\r  2,\r\n  3\n]",
        "{\"name12chars!\":1}", "[1234567890]", "[-123456789]"})
    void findsTheEndOfJson(String json) {
        byte[] bytes = (json + "#").getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(bytes.length - 1, scanner.skipRest(bytes, 1, bytes.length, json.startsWith("{"), 10), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[1,]", "{\"a\":1,}", "[,1]", "[01]", "[1.]", "[.5]", "[-]", "[+1]", "[1e]", "[1e+]", "[-a]", "[NaN]",
        "[Infinity]", "[truex]", "[tru]", "[nul]", "[True]", "['a']", "{a:1}", "{\"a\"1}", "{\"a\":}", "{\"a\"}",
        "[1 2]", "[\"a\" \"b\"]", "[/*c*/1]", "[#1]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12g4\"]",
        "[\"\u0001\"]", "[\"tab\there\"]", "[\"line\nbreak\"]", "[1}", "{\"a\":1]", "[[1]", "[\"open",
        "{\"name13chars!!\":1}", "[12345678901]", "[-1234567890]", "[[[[[[[[[[[]]]]]]]]]]]", "[\u0000]", "[\f1]"})
    void isUnsureOfWhatJacksonRefuses(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(bytes, 1, bytes.length, json.startsWith("{"), 10),
                json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "BF", "C3", "C328", "E282", "E228A1", "F09F98", "F8A1A1A1A1", "FF"})
    void isUnsureOfBrokenUtf8InAString(String hex) {
        byte[] sequence = java.util.HexFormat.of().parseHex(hex);
        byte[] bytes = new byte[sequence.length + 4];
        bytes[0] = '[';
        bytes[1] = '"';
        System.arraycopy(sequence, 0, bytes, 2, sequence.length);
        bytes[bytes.length - 2] = '"';
        bytes[bytes.length - 1] = ']';
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(bytes, 1, bytes.length, false, 10), hex);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void opensNoMoreContainersThanAllowed(int maxDepth) {
        String json = "[".repeat(maxDepth) + "]".repeat(maxDepth);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(bytes.length, scanner.skipRest(bytes, 1, bytes.length, false, maxDepth));
        byte[] deeper = ("[" + json + "]").getBytes(StandardCharsets.UTF_8);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(deeper, 1, deeper.length, false, maxDepth));
    }

    /**
     * Strings are passed eight bytes at a time while all eight are plain: a byte that ends the string or needs a look
     * is found wherever it falls in those eight, or in the bytes after the last eight.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 16, 17, 23})
    void findsWhatEndsOrBreaksAStringAtAnyPlaceInARunOfPlainBytes(int at) {
        String before = "a".repeat(at);
        String after = "b".repeat(20);
        // Found, the scan ends where the JSON does; missed, it would read on and be unsure or end elsewhere.
        assertEnd("[\"" + before + "\",\"" + after + "\"]");
        assertEnd("[\"" + before + "\\\"" + after + "\"]");
        assertEnd("[\"" + before + "\\\\\",\"" + after + "\"]");
        assertEnd("[\"" + before + "é€😀" + after + "\"]");
        // Found, these are refused; missed, the string would be taken as JSON.
        assertUnsure(("[\"" + before + "\u0001" + after + "\"]").getBytes(StandardCharsets.UTF_8));
        assertUnsure(("[\"" + before + "\u001f" + after + "\"]").getBytes(StandardCharsets.UTF_8));
        assertUnsure(("[\"" + before + "\\x" + after + "\"]").getBytes(StandardCharsets.UTF_8));
        for (int bad : new int[] {0x80, 0xBF, 0xC0, 0xFF}) {
            byte[] bytes = ("[\"" + before + "?" + after + "\"]").getBytes(StandardCharsets.UTF_8);
            bytes[2 + at] = (byte) bad;
            assertUnsure(bytes);
        }
    }

    /** A string that the end of the input cuts is unsure, whatever lies in the array past that end. */
    @ParameterizedTest
    @ValueSource(ints = {3, 4, 8, 9, 10, 11, 17, 25})
    void readsNothingPastTheEndItIsGiven(int end) {
        byte[] bytes = ("[\"" + "a".repeat(30) + "\"]").getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(bytes, 1, end, false, 10), "end " + end);
        assertEquals(bytes.length, scanner.skipRest(bytes, 1, bytes.length, false, 10));
    }

    /**
     * A unicode escape that the end of the input cuts, however many of its four digits come before the end, is
     * unsure, and the scan reads none of them past the end, not even the last: in an input that stops at the end, a
     * byte read past it would be out of the array.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void readsNoDigitOfAUnicodeEscapePastTheEnd(int digitsBeforeTheEnd) {
        byte[] whole = "[\"\\u00e9\"]".getBytes(StandardCharsets.UTF_8);
        int end = "[\"\\u".length() + digitsBeforeTheEnd;
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(whole, 1, end, false, 10), "end " + end);
        byte[] cut = java.util.Arrays.copyOf(whole, end);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(cut, 1, end, false, 10), "cut at " + end);
        assertEquals(whole.length, scanner.skipRest(whole, 1, whole.length, false, 10));
    }

    private static void assertEnd(String json) {
        byte[] bytes = (json + "#").getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(bytes.length - 1, scanner.skipRest(bytes, 1, bytes.length, false, 10), json);
    }

    private static void assertUnsure(byte[] bytes) {
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(JsonSkipScanner.UNSURE, scanner.skipRest(bytes, 1, bytes.length, false, 10),
                new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @org.junit.jupiter.api.Test
    void countsLineBreaksAsJacksonDoes() {
        byte[] bytes = "[1,\n2,\r\n3,\r4\n]#".getBytes(StandardCharsets.UTF_8);
        JsonSkipScanner scanner = new JsonSkipScanner(MAX_NAME, MAX_NUMBER);
        assertEquals(bytes.length - 1, scanner.skipRest(bytes, 1, bytes.length, false, 10));
        assertEquals(4, scanner.lineBreaks());
        assertEquals(bytes.length - 2, scanner.lastLineStart());
    }
}
