package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * The {@link ScanningSkipParser} for large bodies: it stops with {@link TooManyFieldNames} once the document has added
 * more than a given number of distinct field names to the symbol table. A class of its own so that the parser of
 * small bodies, on every typical admission, has no check to make per token.
 */
final class NameLimitedParser extends ScanningSkipParser {

    /** The symbol table may hold this many names, those it held from earlier documents included. */
    private final int maxNames;
    private final int maxNewNames;

    NameLimitedParser(IOContext context, int features, ObjectCodec codec, ByteQuadsCanonicalizer names, byte[] json,
                      int start, int end, int maxNewNames) {
        super(context, features, codec, names, json, start, end);
        this.maxNewNames = maxNewNames;
        maxNames = (int) Math.min(Integer.MAX_VALUE, (long) names.size() + maxNewNames);
    }

    // Field names are read into the symbol table only by these three (the other next... methods call nextToken()).
    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken token = super.nextToken();
        checkNames();
        return token;
    }

    @Override
    public String nextFieldName() throws IOException {
        String name = super.nextFieldName();
        checkNames();
        return name;
    }

    @Override
    public boolean nextFieldName(SerializableString expected) throws IOException {
        boolean matched = super.nextFieldName(expected);
        checkNames();
        return matched;
    }

    private void checkNames() throws TooManyFieldNames {
        if (_symbols.size() > maxNames) {
            throw new TooManyFieldNames(this, maxNewNames);
        }
    }
}
