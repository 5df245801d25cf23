package io.proberewriter.json;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Jackson's YAML factory, where Jackson reads or writes YAML otherwise than kubectl does. Its parsers also tell the
 * anchor of a scalar ({@code port: &port 8080}) and whether a key was quoted: Jackson's parser tells the anchors of
 * mappings and lists only, and {@link YamlTreeDeserializer} needs every anchor to resolve the aliases that name it,
 * and to tell the merge key from a quoted {@code "<<"}. Its generators write a string holding a line break of YAML
 * 1.1 alone (NEL, LS, PS) in double quotes, escaped: Jackson writes a string of several lines as a literal block,
 * where SnakeYAML leaves those characters as they are and every YAML 1.1 reader (kubectl's too) reads them back as a
 * newline. Reading and writing are Jackson's own in every other way.
 */
public final class KubectlYamlFactory extends YAMLFactory {

    private static final long serialVersionUID = 1L;

    public KubectlYamlFactory(YAMLFactoryBuilder builder) {
        super(builder);
    }

    private KubectlYamlFactory(KubectlYamlFactory source, ObjectCodec codec) {
        super(source, codec);
    }

    @Override
    public YAMLFactory copy() {
        return new KubectlYamlFactory(this, null);
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

    @Override
    protected YAMLGenerator _createGenerator(Writer out, IOContext context) throws IOException {
        return _dumperOptions == null
                ? new Generator(context, _generatorFeatures, _yamlGeneratorFeatures, _quotingChecker, _objectCodec, out,
                        _version)
                : new Generator(context, _generatorFeatures, _yamlGeneratorFeatures, _quotingChecker, _objectCodec, out,
                        _dumperOptions);
    }

    /** A YAML generator that escapes YAML 1.1's own line breaks, which no other style of scalar keeps. */
    public static final class Generator extends YAMLGenerator {

        Generator(IOContext context, int features, int yamlFeatures, StringQuotingChecker quoting, ObjectCodec codec,
                  Writer out, DumperOptions.Version version) throws IOException {
            super(context, features, yamlFeatures, quoting, codec, out, version);
        }

        Generator(IOContext context, int features, int yamlFeatures, StringQuotingChecker quoting, ObjectCodec codec,
                  Writer out, DumperOptions options) throws IOException {
            super(context, features, yamlFeatures, quoting, codec, out, options);
        }

        @Override
        public void writeString(String text) throws IOException {
            if (text != null && KubectlYamlQuoting.holdsYamlOnlyLineBreak(text)) {
                _verifyValueWrite("write String value");
                _writeScalar(text, "string", DumperOptions.ScalarStyle.DOUBLE_QUOTED);
                return;
            }
            super.writeString(text);
        }
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
