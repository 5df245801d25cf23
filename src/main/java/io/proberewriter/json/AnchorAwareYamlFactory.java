package io.proberewriter.json;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Jackson's YAML factory, with parsers that also tell the anchor of a scalar ({@code port: &port 8080}) and whether a
 * key was quoted: Jackson's parser tells the anchors of mappings and lists only, and {@link YamlTreeDeserializer}
 * needs every anchor to resolve the aliases that name it, and to tell the merge key from a quoted {@code "<<"}.
 * Parsing is Jackson's own in every other way.
 */
public final class AnchorAwareYamlFactory extends YAMLFactory {

    private static final long serialVersionUID = 1L;

    public AnchorAwareYamlFactory(YAMLFactoryBuilder builder) {
        super(builder);
    }

    private AnchorAwareYamlFactory(AnchorAwareYamlFactory source, ObjectCodec codec) {
        super(source, codec);
    }

    @Override
    public YAMLFactory copy() {
        return new AnchorAwareYamlFactory(this, null);
    }

    @Override
    protected YAMLParser _createParser(Reader reader, IOContext context) {
        return new Parser(context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
    }

    @Override
    protected YAMLParser _createParser(InputStream in, IOContext context) throws IOException {
        return _createParser(_createReader(in, null, context), context);
    }

    @Override
    protected YAMLParser _createParser(byte[] data, int offset, int length, IOContext context) throws IOException {
        return _createParser(_createReader(data, offset, length, null, context), context);
    }

    @Override
    protected YAMLParser _createParser(char[] data, int offset, int length, IOContext context, boolean recyclable) {
        return _createParser(new CharArrayReader(data, offset, length), context);
    }

    /** A YAML parser that tells the anchor of the scalar it is on. */
    public static final class Parser extends YAMLParser {

        Parser(IOContext context, int parserFeatures, int yamlFeatures,
               LoaderOptions loaderOptions, ObjectCodec codec, Reader reader) {
            super(context, parserFeatures, yamlFeatures, loaderOptions, codec, reader);
        }

        /**
         * Whether the key the parser is on was written plain, without quotes: {@code <<} is the merge key only then,
         * as for go-yaml, and {@code "<<"} is a key like any other.
         */
        public boolean plainKey() {
            return _lastEvent instanceof ScalarEvent scalar && scalar.isPlain();
        }

        /** The anchor of the scalar value the parser is on ({@code &name}), or null. */
        public String scalarAnchor() {
            return _lastEvent instanceof ScalarEvent scalar && !isCurrentAlias() ? scalar.getAnchor() : null;
        }
    }
}
