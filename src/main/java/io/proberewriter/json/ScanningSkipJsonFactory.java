package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * A JSON factory whose parsers of byte arrays skip ignored values with the {@link JsonSkipScanner}
 * ({@link ScanningSkipParser}). Only for UTF-8 without a byte-order mark read with the symbol table (canonicalized
 * field names), which is what the API server sends and what Jackson itself reads with its UTF-8 parser; any other
 * input, and any other source than a byte array, gets Jackson's own parser.
 */
final class ScanningSkipJsonFactory extends JsonFactory {

    private final int maxNewNames;

    ScanningSkipJsonFactory(JsonFactoryBuilder builder) {
        this(builder, Integer.MAX_VALUE);
    }

    /**
     * @param maxNewNames how many distinct field names one document may add to the symbol table before its parser
     *     ({@link NameLimitedParser}) stops with {@link TooManyFieldNames}
     */
    ScanningSkipJsonFactory(JsonFactoryBuilder builder, int maxNewNames) {
        super(builder);
        this.maxNewNames = maxNewNames;
    }

    private ScanningSkipJsonFactory(ScanningSkipJsonFactory original, ObjectCodec codec) {
        super(original, codec);
        maxNewNames = original.maxNewNames;
    }

    @Override
    public JsonFactory copy() {
        return new ScanningSkipJsonFactory(this, null);
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int len, IOContext context) throws IOException {
        // Jackson's UTF-8 parser needs the symbol table; without it Jackson reads through a Reader, and so does this.
        if (!isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES) || !plainUtf8(data, offset, len)) {
            return super._createParser(data, offset, len, context);
        }
        context.setEncoding(JsonEncoding.UTF8);
        ByteQuadsCanonicalizer names = _byteSymbolCanonicalizer.makeChild(_factoryFeatures);
        return maxNewNames == Integer.MAX_VALUE
                ? new ScanningSkipParser(context, _parserFeatures, _objectCodec, names, data, offset, offset + len)
                : new NameLimitedParser(context, _parserFeatures, _objectCodec, names, data, offset, offset + len,
                maxNewNames);
    }

    /**
     * What Jackson's encoding detection reads as UTF-8 with no byte-order mark: a first byte that is ASCII (a
     * byte-order mark starts with 0xEF, 0xFE or 0xFF) and no zero byte among the first four (UTF-16 and UTF-32 have
     * them).
     */
    private static boolean plainUtf8(byte[] data, int offset, int len) {
        if (len < 1 || data[offset] < 0) {
            return false;
        }
        for (int i = offset; i < offset + Math.min(len, 4); i++) {
            if (data[i] == 0) {
                return false;
            }
        }
        return true;
    }
}
