package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonToken;
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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Jackson's YAML factory, where Jackson reads or writes YAML otherwise than kubectl does. Its parsers also tell the
 * anchor of a scalar ({@code port: &port 8080}) and whether a key was quoted: Jackson's parser tells the anchors of
 * mappings and lists only, and {@link YamlTreeDeserializer} needs every anchor to resolve the aliases that name it,
 * and to tell the merge key from a quoted {@code "<<"}; and they read {@code y}/{@code n} and {@code 0o644} as
 * kubectl does ({@link Parser#_decodeScalar}). Its generators write a string holding a line break of YAML
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

    /** A YAML parser that tells the anchor of the scalar it is on, and reads plain scalars as kubectl does. */
    public static final class Parser extends YAMLParser {

        /** YAML 1.2's octal as Go's {@code strconv.ParseInt(s, 0, 64)} reads it, after go-yaml drops underscores. */
        private static final Pattern GO_OCTAL = Pattern.compile("([-+]?)0[oO]([0-7]+)");
        private static final String NULL_TAG = "tag:yaml.org,2002:null";
        /** What go-yaml v2 resolves to null. */
        private static final Set<String> NULL_FORMS = Set.of("", "~", "null", "Null", "NULL");

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

        /**
         * Jackson resolves plain scalars with SnakeYAML's YAML 1.1 rules; kubectl's go-yaml v2 differs in two that a
         * manifest meets: {@code y}, {@code Y}, {@code n} and {@code N} are booleans, and Go reads YAML 1.2's octal
         * ({@code 0o644}) as a number. Read as strings, {@code readOnly: y} would be refused and a
         * {@code defaultMode: 0o644} written back as the string it is not.
         */
        @Override
        protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
            // Jackson reads !!null as the string it holds; go-yaml reads it as null when the text is a null form (the
            // empty one included: "--- !!null" is an empty document to kubectl, "v: !!null ''" no value).
            if (NULL_TAG.equals(scalar.getTag()) && NULL_FORMS.contains(scalar.getValue())) {
                return JsonToken.VALUE_NULL;
            }
            JsonToken token = super._decodeScalar(scalar);
            boolean plainUntagged = scalar.isPlain() && scalar.getImplicit().canOmitTagInPlainScalar();
            if (token != JsonToken.VALUE_STRING || !plainUntagged) {
                return token;
            }
            String value = scalar.getValue();
            switch (value) {
                case "y", "Y":
                    return JsonToken.VALUE_TRUE;
                case "n", "N":
                    return JsonToken.VALUE_FALSE;
                default:
                    break;
            }
            Matcher octal = GO_OCTAL.matcher(value.replace("_", ""));
            if (octal.matches()) {
                // Jackson's own reading of YAML 1.1's octal (a leading 0), with the same digits.
                String yaml11 = octal.group(1) + "0" + octal.group(2);
                _cleanedTextValue = yaml11;
                return _decodeNumberScalar(yaml11, yaml11.length());
            }
            return token;
        }

        /** The anchor of the scalar value the parser is on ({@code &name}), or null. */
        public String scalarAnchor() {
            return _lastEvent instanceof ScalarEvent scalar && !isCurrentAlias() ? scalar.getAnchor() : null;
        }
    }
}
