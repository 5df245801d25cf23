package io.proberewriter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser that skips with the scanner reads every document as Jackson's own does: the same tokens, locations and
 * errors, for generated JSON and for the same JSON broken in random places ({@link SkipDifferential}); and it does
 * skip with the scanner.
 */
class ScanningSkipParserTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"e\"}",
        "{\n \"a\": {\n  \"b\": [\r\n 1, 2 ]\n },\n \"d\": [ ]\r}",
        "{\"a\":{\"b\":[1,2,}]}}", "{\"a\":{\"b\":[01]}}", "{\"a\":{\"b\":\"\\q\"}}", "{\"a\":{\"b\":[1 2]}}",
        "{\"a\":{\"b\":[1]", "{\"a\":{\"b\":[1]}}}", "{\"a\":{\"b\":\"\u0001\"}}", "{\"a\":[/*x*/]}",
        "[[[[]]],[[{}]],{\"x\":[{\"y\":{}}]}]", "{\"a\":{\"b\":tru}}", "{\"a\":{\"b\":1.5e}}"})
    void readsAsJacksonDoes(String json) {
        SkipDifferential.check(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsNestingAtTheLimitAsJacksonDoes() {
        for (int depth : new int[] {199, 200, 201, 202}) {
            SkipDifferential.check(("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8));
            SkipDifferential.check(("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void readsGeneratedAndBrokenDocumentsAsJacksonDoes() {
        Random random = new Random(20261201);
        for (int i = 0; i < 3_000; i++) {
            byte[] json = RandomJson.document(random);
            SkipDifferential.check(json);
            SkipDifferential.check(RandomJson.broken(json, random));
        }
    }

    @Test
    void skipsWithTheScannerForPlainUtf8() throws IOException {
        try (JsonParser parser = SkipDifferential.scanning().createParser("{}".getBytes(StandardCharsets.UTF_8))) {
            assertInstanceOf(ScanningSkipParser.class, parser);
        }
        // A byte-order mark, UTF-16: Jackson's own detection and parser.
        for (byte[] other : new byte[][] {{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}, {0, '{', 0, '}'},
                {'{', 0, '}', 0}, {}}) {
            try (JsonParser parser = SkipDifferential.scanning().createParser(other)) {
                assertFalse(parser instanceof ScanningSkipParser);
            }
        }
        try (JsonParser parser = Mappers.admissionReviewReader().getFactory()
                .createParser("{}".getBytes(StandardCharsets.UTF_8))) {
            assertFalse(parser instanceof ScanningSkipParser, "without the symbol table: Jackson's reader parser");
        }
        try (JsonParser parser = Mappers.smallAdmissionReviewFactory()
                .createParser("{}".getBytes(StandardCharsets.UTF_8))) {
            assertInstanceOf(ScanningSkipParser.class, parser);
        }
    }

    @Test
    void theLargeBodyReaderStopsPastItsNumberOfNewNamesCountingEachNameOnce() throws IOException {
        JsonFactory factory = Mappers.largeAdmissionReviewFactory();
        int limit = Mappers.LARGE_BODY_NEW_NAMES;
        assertEquals(limit, readNames(factory, limit, 3), "names within the limit, each three times");
        assertEquals(limit, readNames(factory, limit, 1), "the same names again: already in the table");
        TooManyFieldNames stop = org.junit.jupiter.api.Assertions.assertThrows(TooManyFieldNames.class,
                () -> readNames(factory, 2 * limit + 1, 1));
        assertTrue(stop.getOriginalMessage().contains("more than " + limit + " distinct field names"),
                stop.getMessage());
        assertTrue(TooManyFieldNames.causedBy(new IOException(new IllegalStateException(stop))));
        assertFalse(TooManyFieldNames.causedBy(new IOException("other")));
        // Names skipped by the scanner are not counted: they never reach the table.
        StringBuilder skipped = new StringBuilder("{\"skipped\":{");
        for (int i = 0; i < 3 * limit; i++) {
            skipped.append(i == 0 ? "" : ",").append("\"skipped-").append(i).append("\":1");
        }
        try (JsonParser parser = factory.createParser(skipped.append("}}").toString().getBytes(StandardCharsets.UTF_8))) {
            parser.nextToken();
            parser.nextToken();
            parser.nextToken();
            parser.skipChildren();
            assertEquals(JsonToken.END_OBJECT, parser.nextToken());
        }
    }

    /** Reads an object of {@code distinct} names (from {@code name-0}), each {@code times} times; counts the names. */
    private static int readNames(JsonFactory factory, int distinct, int times) throws IOException {
        StringBuilder json = new StringBuilder("{");
        for (int t = 0; t < times; t++) {
            for (int i = 0; i < distinct; i++) {
                json.append(json.length() == 1 ? "" : ",").append("\"name-").append(i).append("\":").append(i);
            }
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        try (JsonParser parser = factory.createParser(json.append('}').toString().getBytes(StandardCharsets.UTF_8))) {
            assertInstanceOf(ScanningSkipParser.class, parser);
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME) {
                    names.add(parser.currentName());
                }
            }
        }
        return names.size();
    }

    /**
     * Jackson's skip makes a String of every new name it skips; the scanner makes nothing. The thread's allocation
     * counter tells which one skipped.
     */
    @Test
    void skipsWithoutMakingTheSkippedNames() throws IOException {
        StringBuilder names = new StringBuilder("{\"skipped\":{");
        for (int i = 0; i < 2_000; i++) {
            names.append(i == 0 ? "" : ",").append("\"a-name-of-some-length-").append(i).append("\":").append(i);
        }
        byte[] json = names.append("},\"kept\":1}").toString().getBytes(StandardCharsets.UTF_8);
        long jackson = allocatedWhileSkipping(SkipDifferential.jackson(), json);
        long scanning = allocatedWhileSkipping(SkipDifferential.scanning(), json);
        assertTrue(jackson > 100_000, "Jackson's skip allocated " + jackson + " bytes");
        assertTrue(scanning < 10_000, "the scanning skip allocated " + scanning + " bytes");
    }

    private static long allocatedWhileSkipping(JsonFactory factory, byte[] json) throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (JsonParser parser = factory.createParser(json)) {
            assertEquals(JsonToken.START_OBJECT, parser.nextToken());
            assertEquals("skipped", parser.nextFieldName());
            assertEquals(JsonToken.START_OBJECT, parser.nextToken());
            long before = threads.getCurrentThreadAllocatedBytes();
            parser.skipChildren();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(JsonToken.END_OBJECT, parser.currentToken());
            assertEquals("kept", parser.nextFieldName());
            return allocated;
        }
    }
}
