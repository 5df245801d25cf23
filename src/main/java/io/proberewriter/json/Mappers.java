package io.proberewriter.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Every Jackson mapper of the project, configured once. Each is for one kind of input or output, and its settings
 * say what that kind needs; a mapper is thread-safe once configured, so each exists once. Nothing may reconfigure
 * them after this class built them.
 */
public final class Mappers {

    /** Trees and models of objects we built, or that a stricter reader already checked: Jackson's defaults. */
    public static final ObjectMapper TREES = new ObjectMapper();

    /**
     * What we write for the API server or into annotations (patches, recorded probes, AdmissionReviews): no null
     * fields, as Kubernetes omits them, so the same object always gives the same bytes.
     */
    public static final ObjectMapper WRITTEN = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /**
     * Pod templates of the user's manifests into the model, as kubectl reads them: {@code name: off} or
     * {@code value: 8080} where Kubernetes wants a string is an error (YAML made them a boolean and a number), and so
     * is a null where a number belongs; a null item of a list is its zero value, as for the API server.
     */
    public static final ObjectMapper MANIFEST_MODEL = StrictJson.readNullItemsAsZeroValues(StrictJson
            .refuseCoercedScalars(new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)));

    /** Services and ConfigMaps of the user's input, leniently: a field of a newer Kubernetes must not hide the ports. */
    public static final ObjectMapper LENIENT_MODEL = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * YAML values inside objects (Istio's mesh config in a ConfigMap): JSON is YAML, so either reads. Aliases and merge
     * keys are resolved, as Istio's own reader resolves them.
     */
    public static final ObjectMapper YAML = new YAMLMapper(new KubectlYamlFactory(YAMLFactory.builder()))
            .registerModule(YamlTreeDeserializer.module());

    /** SnakeYAML refuses documents over 3 MB by default; real manifests (big ConfigMaps, CRDs) exceed that. */
    private static final int MANIFEST_CODE_POINTS = 64 * 1024 * 1024;

    /**
     * Manifest streams in YAML: a duplicate key is an error as for kubectl, an empty plain value ({@code peers:}) is
     * null as for Kubernetes (Jackson 2 reads it as "" unless told), and aliases and merge keys are resolved as kubectl
     * resolves them ({@link YamlTreeDeserializer}).
     */
    public static final ObjectMapper MANIFEST_YAML_READER = manifestYamlReader();

    /** Manifest streams in JSON: a duplicate key is an error as for kubectl. */
    public static final ObjectMapper MANIFEST_JSON_READER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /** Manifests written back as kubectl prints them. */
    public static final YAMLMapper MANIFEST_YAML_WRITER = new YAMLMapper(new KubectlYamlFactory(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Without these, an annotation value "8080" (or "1e3", "0x10", "1_000": kubectl reads YAML 1.1) would be
            // written bare and read back as a number.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .stringQuotingChecker(new KubectlYamlQuoting())
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            // Long annotation values (original-probes JSON) stay on one line, as kubectl prints them.
            .disable(YAMLGenerator.Feature.SPLIT_LINES)));

    private Mappers() {
    }

    /**
     * A new reader of AdmissionReviews as the API server sends them, for the webhook to add its own mix-ins to: a
     * deeply nested body is refused before it can exhaust the stack, scalars are not coerced into strings, unknown
     * fields are skipped, a null item of a list is its zero value. Field names are not canonicalized: Jackson's symbol
     * table pays off for names that repeat across documents, but annotation and label keys (and the keys of
     * {@code managedFields}) are the sender's, and
     * tens of thousands of distinct ones made it cost ten times the rest of the parse, growing faster than the
     * request. The price is that Jackson then decodes the bytes through an {@code InputStreamReader} into chars and
     * makes a new String per field name: for bodies too small to hold that many names, read with
     * {@link #smallAdmissionReviewFactory()} (an {@code ObjectReader} of this mapper {@code with} it, so that both
     * share the deserializers Jackson builds).
     */
    public static ObjectMapper admissionReviewReader() {
        return admissionReviewReader(admissionReviewFactory(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build());
    }

    /**
     * The parsers for bodies of at most some tens of KiB, which cannot hold more than a few thousand field names:
     * with field names canonicalized, Jackson parses the UTF-8 bytes directly and makes each repeated name
     * once, which over the wire was the largest cost of admitting a typical pod. The names are not interned into the
     * JVM's string table (they are the sender's), and Jackson does not keep a table past a few thousand names for the
     * next request. The values the webhook ignores are skipped by the {@link JsonSkipScanner}, which checks them as
     * strictly as Jackson but builds nothing, and keeps their names out of the table.
     */
    public static JsonFactory smallAdmissionReviewFactory() {
        return new ScanningSkipJsonFactory(admissionReviewFactory(JsonFactory.Feature.INTERN_FIELD_NAMES));
    }

    /**
     * How many distinct field names one large body may add to the symbol table of
     * {@link #largeAdmissionReviewFactory()}: far more than a pod's own (its schema's names, labels, annotations) and
     * than the names of the fields it skips (the scanner keeps them out), and few enough that a body made of distinct
     * names costs little before it is read again without the table (1,000 names: 1.4 ms).
     */
    public static final int LARGE_BODY_NEW_NAMES = 1_000;

    /**
     * The parsers for bodies too large for {@link #smallAdmissionReviewFactory()}'s guarantee, for well-formed UTF-8:
     * the same UTF-8 parser, symbol table and scanning skip, but a body that adds more than
     * {@link #LARGE_BODY_NEW_NAMES} distinct field names to the table stops with {@link TooManyFieldNames}, to be
     * read again with {@link #admissionReviewReader()}'s own. A large pod is mostly what the webhook skips (env vars,
     * managed fields), so this reads it in half the time of the reader without the table, and makes none of the
     * Strings that reader makes for every name it skips.
     */
    public static JsonFactory largeAdmissionReviewFactory() {
        return new ScanningSkipJsonFactory(admissionReviewFactory(JsonFactory.Feature.INTERN_FIELD_NAMES),
                LARGE_BODY_NEW_NAMES);
    }

    private static JsonFactoryBuilder admissionReviewFactory(JsonFactory.Feature disabled) {
        return new JsonFactoryBuilder().disable(disabled)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private static ObjectMapper admissionReviewReader(JsonFactory factory) {
        return StrictJson.readNullItemsAsZeroValues(StrictJson.refuseCoercedScalars(JsonMapper.builder(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build()));
    }

    private static ObjectMapper manifestYamlReader() {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(MANIFEST_CODE_POINTS);
        return new YAMLMapper(new KubectlYamlFactory(YAMLFactory.builder().loaderOptions(loader)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)))
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .registerModule(YamlTreeDeserializer.module());
    }
}
