package io.proberewriter.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a document twice, with Jackson's own parser and with the {@link ScanningSkipParser}, skipping every container
 * from a given depth on, and checks that both saw the same: every token with its text and location, the token and
 * locations right after each skip, and the same error (message and location) if there is one.
 */
final class SkipDifferential {

    /** The webhook's settings, as {@link Mappers} sets them. */
    static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder().maxNestingDepth(200).build();

    private SkipDifferential() {
    }

    static JsonFactory jackson() {
        return JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).streamReadConstraints(CONSTRAINTS)
                .build();
    }

    static JsonFactory scanning() {
        return new ScanningSkipJsonFactory(new JsonFactoryBuilder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .streamReadConstraints(CONSTRAINTS));
    }

    /**
     * For well-formed UTF-8, the same reading from both; for other bytes, only an IOException or a result from the
     * scanning parser. Not the same reading: Jackson's symbol table mistakes a name holding 0xFF for a name it holds
     * (the quirk {@code ReviewCodec.canonicalizable} keeps away from the webhook), and Jackson's skip puts the names it
     * skips into the table while the scanner does not, so such a name can be read differently. Each check starts
     * from empty tables, so that inputs do not depend on the ones before them.
     */
    static void check(byte[] json) {
        if (!wellFormedUtf8(json)) {
            for (int depth = 1; depth <= 3; depth++) {
                read(scanning(), json, depth);
            }
            return;
        }
        for (int depth = 1; depth <= 3; depth++) {
            assertEquals(read(jackson(), json, depth), read(scanning(), json, depth),
                    "skipping from depth " + depth);
        }
    }

    private static boolean wellFormedUtf8(byte[] json) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)); // reports malformed input by default
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String read(JsonFactory factory, byte[] json, int skipFromDepth) {
        StringBuilder seen = new StringBuilder();
        try (JsonParser parser = factory.createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                seen.append(token).append(' ').append(where(parser.currentTokenLocation()));
                if (token.isScalarValue() || token == JsonToken.FIELD_NAME) {
                    seen.append(' ').append(parser.getText());
                }
                seen.append('\n');
                if (token.isStructStart() && parser.getParsingContext().getNestingDepth() >= skipFromDepth) {
                    parser.skipChildren();
                    seen.append("skipped to ").append(parser.currentToken()).append(' ')
                            .append(where(parser.currentTokenLocation())).append(" then ")
                            .append(where(parser.currentLocation())).append(" in ")
                            .append(parser.getParsingContext().toString()).append('\n');
                }
            }
        } catch (IOException e) { // JsonProcessingException, or the JDK's decoder's (for UTF-16 and UTF-32 input)
            seen.append("error ").append(e.getClass().getSimpleName()).append(' ').append(e.getMessage());
        }
        return seen.toString();
    }

    private static String where(JsonLocation location) {
        return location.getLineNr() + ":" + location.getColumnNr() + "@" + location.getByteOffset();
    }
}
