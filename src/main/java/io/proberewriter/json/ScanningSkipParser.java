package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * Jackson's UTF-8 parser over a whole document in memory, whose {@link #skipChildren()} runs the
 * {@link JsonSkipScanner} over the bytes instead of reading them token by token. Everything else is Jackson's.
 *
 * <p>Databind skips a field it is told to ignore with {@code skipChildren()}; the scanner checks the skipped value as
 * strictly, and when it is unsure the parser's own skip reads the same bytes from the same place, so a bad body is
 * refused with Jackson's message and location. After a scan the parser is where Jackson's own skip would leave it:
 * on the closing bracket, its context the enclosing one, its line and column counted.
 */
class ScanningSkipParser extends UTF8StreamJsonParser {

    private final JsonSkipScanner scanner;

    ScanningSkipParser(IOContext context, int features, ObjectCodec codec, ByteQuadsCanonicalizer names, byte[] json,
                       int start, int end) {
        super(context, features, null, codec, names, json, start, end, false);
        scanner = scansLikeJackson()
                ? new JsonSkipScanner(_streamReadConstraints.getMaxNameLength(),
                _streamReadConstraints.getMaxNumberLength())
                : null;
    }

    /**
     * Whether the scanner's grammar is at least as strict as this parser's: not when Jackson is asked to refuse
     * duplicate names or to count tokens, which the scanner does not do.
     */
    private boolean scansLikeJackson() {
        return !isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) && !_streamReadConstraints.hasMaxTokenCount();
    }

    @Override
    public final JsonParser skipChildren() throws IOException {
        JsonToken open = _currToken;
        if (scanner == null || _nextToken != null || (open != JsonToken.START_OBJECT && open != JsonToken.START_ARRAY)) {
            return super.skipChildren();
        }
        // Jackson refuses a container nested deeper than the limit; the scanner stops one level short of it.
        int depthLeft = _streamReadConstraints.getMaxNestingDepth() - _parsingContext.getNestingDepth();
        boolean object = open == JsonToken.START_OBJECT;
        int after = scanner.skipRest(_inputBuffer, _inputPtr, _inputEnd, object, depthLeft);
        if (after == JsonSkipScanner.UNSURE) {
            return super.skipChildren();
        }
        if (scanner.lineBreaks() > 0) {
            _currInputRow += scanner.lineBreaks();
            _currInputRowStart = scanner.lastLineStart();
        }
        // Where Jackson puts a closing bracket's token: just after it.
        _tokenInputRow = _currInputRow;
        _tokenInputTotal = _currInputProcessed + after;
        _tokenInputCol = after - _currInputRowStart;
        _inputPtr = after;
        _parsingContext = _parsingContext.clearAndGetParent();
        _currToken = object ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        return this;
    }
}
