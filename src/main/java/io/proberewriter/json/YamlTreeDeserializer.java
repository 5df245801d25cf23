package io.proberewriter.json;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a YAML document into a tree as kubectl's YAML reader does: an alias ({@code *name}) is a copy of the value its
 * anchor ({@code &name}) marked earlier in the same document, and a merge key ({@code <<: *base}, or a list of
 * aliases) adds the keys of those mappings that the mapping does not set itself. Jackson's own tree reader leaves an
 * alias as the string of its name, so {@code port: *port} would silently become the named port {@code port}.
 *
 * <p>Copies, not shared nodes: the rewrite changes one probe of a manifest, and a probe written once and aliased
 * twice must not change in both places. What the copies of one document may add is bounded
 * ({@value #MOST_COPIED_VALUES} values), as kubectl's reader bounds aliasing: a few lines of nested aliases (the
 * "billion laughs") would otherwise expand past any memory.
 */
public final class YamlTreeDeserializer extends StdDeserializer<JsonNode> {

    /** Values that aliases may copy into one document: a probe aliased a thousand times is some tens of thousands. */
    public static final int MOST_COPIED_VALUES = 100_000;

    /** The YAML merge key of YAML 1.1, which Kubernetes' reader (go-yaml) applies. */
    static final String MERGE_KEY = "<<";

    private static final long serialVersionUID = 1L;

    private static final Pattern ALIAS_AS_KEY = Pattern.compile("AliasEvent\\(anchor=([^)]*)\\)");

    public YamlTreeDeserializer() {
        super(JsonNode.class);
    }

    /**
     * A module that makes a YAML mapper read trees with anchors, aliases and merge keys resolved; its factory must be
     * a {@link KubectlYamlFactory}, whose parsers tell what Jackson's do not (a scalar's anchor, a quoted key).
     */
    public static SimpleModule module() {
        return new SimpleModule("yaml-aliases").addDeserializer(JsonNode.class, new YamlTreeDeserializer());
    }

    @Override
    public JsonNode deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (!(parser instanceof KubectlYamlFactory.Parser yaml)) {
            throw new IllegalStateException("YAML trees are read with KubectlYamlFactory's parser, not "
                    + parser.getClass().getName());
        }
        return new Document(yaml, context).value(parser.currentToken());
    }

    @Override
    public JsonNode getNullValue(DeserializationContext context) {
        return context.getNodeFactory().nullNode();
    }

    /** One document's anchors: YAML scopes them to the document. */
    private static final class Document {

        private final KubectlYamlFactory.Parser parser;
        private final DeserializationContext context;
        private final JsonNodeFactory nodes;
        private final Map<String, Anchored> anchors = new HashMap<>();
        private long valuesBuilt;
        private long valuesCopied;

        Document(KubectlYamlFactory.Parser parser, DeserializationContext context) {
            this.parser = parser;
            this.context = context;
            this.nodes = context.getNodeFactory();
        }

        JsonNode value(JsonToken token) throws IOException {
            if (parser.isCurrentAlias()) {
                return copyOf(parser.getText());
            }
            // Jackson's parser tells the anchor of a mapping or a list; only KubectlYamlFactory's that of a scalar.
            String anchor = token.isStructStart() ? parser.getCurrentAnchor() : parser.scalarAnchor();
            long builtBefore = valuesBuilt;
            JsonNode node = switch (token) {
                case START_OBJECT -> object();
                case START_ARRAY -> array();
                case VALUE_STRING -> nodes.textNode(parser.getText());
                case VALUE_NUMBER_INT -> integer();
                case VALUE_NUMBER_FLOAT -> fraction();
                case VALUE_TRUE -> nodes.booleanNode(true);
                case VALUE_FALSE -> nodes.booleanNode(false);
                case VALUE_NULL -> nodes.nullNode();
                case VALUE_EMBEDDED_OBJECT -> embedded(parser.getEmbeddedObject());
                default -> (JsonNode) context.handleUnexpectedToken(JsonNode.class, parser);
            };
            valuesBuilt++;
            if (anchor != null) {
                anchors.put(anchor, new Anchored(node, valuesBuilt - builtBefore));
            }
            return node;
        }

        private JsonNode copyOf(String alias) throws JsonMappingException {
            Anchored anchored = anchors.get(alias);
            if (anchored == null) {
                // An alias inside the value of its own anchor lands here too: that anchor is not set until its value
                // is read whole, and a value cannot contain itself.
                throw JsonMappingException.from(parser, "the alias *" + alias + " refers to no anchor &" + alias
                        + " before it in this document (an alias must follow its anchor, in the same document, and"
                        + " not be inside the anchor's own value)");
            }
            valuesCopied += anchored.values();
            if (valuesCopied > MOST_COPIED_VALUES) {
                throw JsonMappingException.from(parser, "the aliases of this document copy more than "
                        + String.format(Locale.ROOT, "%,d", MOST_COPIED_VALUES) + " values (*" + alias
                        + " is one of them): aliases nested this deep expand past any memory; write the values out");
            }
            valuesBuilt += anchored.values();
            return anchored.node().deepCopy();
        }

        private ObjectNode object() throws IOException {
            ObjectNode object = nodes.objectNode();
            List<JsonNode> merged = new ArrayList<>();
            JsonToken token;
            while ((token = nextKey()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                boolean merge = MERGE_KEY.equals(name) && parser.plainKey();
                JsonNode value = value(parser.nextToken());
                if (merge) {
                    merged.add(value);
                } else {
                    object.set(name, value);
                }
            }
            if (token != JsonToken.END_OBJECT) {
                context.handleUnexpectedToken(JsonNode.class, parser);
            }
            for (JsonNode source : merged) {
                merge(object, source);
            }
            return object;
        }

        /**
         * Jackson's parser refuses an alias where a key belongs ({@code *name : value}), naming SnakeYAML's event
         * class: said here in the manifest's words.
         */
        private JsonToken nextKey() throws IOException {
            try {
                return parser.nextToken();
            } catch (JsonParseException e) {
                Matcher alias = ALIAS_AS_KEY.matcher(String.valueOf(e.getOriginalMessage()));
                if (!alias.find()) {
                    throw e;
                }
                throw new JsonParseException(parser, "an alias (*" + alias.group(1) + ") as a mapping key is not"
                        + " supported: write the key out", e.getLocation(), e);
            }
        }

        /**
         * The keys the mapping does not set itself, from one mapping or from a list of them, the earlier ones first:
         * YAML's merge key, as go-yaml applies it.
         */
        private void merge(ObjectNode into, JsonNode source) throws JsonMappingException {
            if (source.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = source.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (!into.has(field.getKey())) {
                        into.set(field.getKey(), field.getValue());
                    }
                }
            } else if (source.isArray() && allObjects(source)) {
                for (JsonNode each : source) {
                    merge(into, each);
                }
            } else {
                throw JsonMappingException.from(parser, "the merge key << takes a mapping or a list of mappings"
                        + " (an alias of one, as in <<: *base), not " + kind(source));
            }
        }

        private static String kind(JsonNode value) {
            if (value.isArray()) {
                return "a list holding something other than mappings";
            }
            if (value.isNull()) {
                return "null";
            }
            return value.isTextual() ? "a string" : "a " + value.getNodeType().toString().toLowerCase(Locale.ROOT);
        }

        private static boolean allObjects(JsonNode array) {
            for (JsonNode each : array) {
                if (!each.isObject()) {
                    return false;
                }
            }
            return true;
        }

        private ArrayNode array() throws IOException {
            ArrayNode array = nodes.arrayNode();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    context.handleUnexpectedToken(JsonNode.class, parser);
                }
                array.add(value(token));
            }
            return array;
        }

        private JsonNode integer() throws IOException {
            return switch (parser.getNumberType()) {
                case INT -> nodes.numberNode(parser.getIntValue());
                case LONG -> nodes.numberNode(parser.getLongValue());
                default -> nodes.numberNode(parser.getBigIntegerValue());
            };
        }

        private JsonNode fraction() throws IOException {
            return parser.getNumberType() == JsonParser.NumberType.BIG_DECIMAL
                    ? nodes.numberNode(parser.getDecimalValue())
                    : nodes.numberNode(parser.getDoubleValue());
        }

        private JsonNode embedded(Object value) {
            if (value == null) {
                return nodes.nullNode();
            }
            return value instanceof byte[] bytes ? nodes.binaryNode(bytes) : nodes.pojoNode(value);
        }
    }

    /** An anchor's value, and how many values it holds (its copies count them against the bound). */
    private record Anchored(JsonNode node, long values) {
    }
}
