package io.proberewriter.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes objects as Jackson trees: the install checks read fields by JSON pointer, so they need no fabric8
 * model artifact beyond what the application already depends on, and they see exactly what the YAML says (a
 * quoted "true" is not a boolean here, as it is not for the API server).
 */
public final class KubeYaml {

    static final String NAMESPACE = "probe-rewriter-system";

    /** What the API server treats as cluster-scoped among the kinds an install can carry. */
    static final Set<String> CLUSTER_SCOPED_KINDS = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ClusterIssuer", "PriorityClass",
            "CustomResourceDefinition");

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern GO_DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private KubeYaml() {
    }

    /** One YAML document with where it came from, for messages. */
    public record Doc(String source, JsonNode node) {

        String kind() {
            return node.path("kind").asText("");
        }

        String name() {
            return node.at("/metadata/name").asText("");
        }

        String namespace() {
            return node.at("/metadata/namespace").asText("");
        }

        JsonNode at(String pointer) {
            return node.at(pointer);
        }

        String label(String key) {
            return node.path("metadata").path("labels").path(key).asText(null);
        }

        String annotation(String key) {
            return node.path("metadata").path("annotations").path(key).asText(null);
        }

        @Override
        public String toString() {
            return kind() + " " + (namespace().isEmpty() ? "" : namespace() + "/") + name() + " (" + source + ")";
        }
    }

    /** Every non-empty document of a multi-document YAML stream. */
    static List<Doc> parseAll(String yaml, String source) {
        List<Doc> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    assertTrue(node.isObject(), source + ": a document is not a mapping: " + node);
                    docs.add(new Doc(source, node));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + " is not valid YAML", e);
        }
        return docs;
    }

    static JsonNode parseOne(String yaml, String source) {
        List<Doc> docs = parseAll(yaml, source);
        assertEquals(1, docs.size(), source + " should hold exactly one document");
        return docs.get(0).node();
    }

    static Doc one(List<Doc> docs, String kind, String name) {
        List<Doc> found = docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).toList();
        if (found.size() != 1) {
            fail("expected exactly one " + kind + " named " + name + ", found " + found.size() + " among "
                    + docs.stream().map(Doc::toString).toList());
        }
        return found.get(0);
    }

    static List<Doc> ofKind(List<Doc> docs, String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    // --- typed assertions: the API server rejects a string where it wants a bool or an int, so do we ---

    static void assertText(String expected, JsonNode root, String pointer, String what) {
        JsonNode value = root.at(pointer);
        assertTrue(value.isTextual(), what + ": " + pointer + " should be the string \"" + expected + "\", got "
                + (value.isMissingNode() ? "nothing" : value));
        assertEquals(expected, value.textValue(), what + ": " + pointer);
    }

    static void assertInt(long expected, JsonNode root, String pointer, String what) {
        JsonNode value = root.at(pointer);
        assertTrue(value.isIntegralNumber(), what + ": " + pointer + " should be the integer " + expected + ", got "
                + (value.isMissingNode() ? "nothing" : value));
        assertEquals(expected, value.longValue(), what + ": " + pointer);
    }

    static void assertBool(boolean expected, JsonNode root, String pointer, String what) {
        JsonNode value = root.at(pointer);
        assertTrue(value.isBoolean(), what + ": " + pointer + " should be the boolean " + expected + ", got "
                + (value.isMissingNode() ? "nothing" : value));
        assertEquals(expected, value.booleanValue(), what + ": " + pointer);
    }

    static void assertAbsent(JsonNode root, String pointer, String what) {
        JsonNode value = root.at(pointer);
        assertTrue(value.isMissingNode() || value.isNull(), what + ": " + pointer + " should be absent, got " + value);
    }

    /** The strings of a YAML sequence, in order; fails if it is not a sequence of strings. */
    static List<String> texts(JsonNode root, String pointer, String what) {
        JsonNode array = root.at(pointer);
        assertTrue(array.isArray(), what + ": " + pointer + " should be a list, got "
                + (array.isMissingNode() ? "nothing" : array));
        List<String> out = new ArrayList<>();
        for (JsonNode item : array) {
            assertTrue(item.isTextual(), what + ": " + pointer + " should hold strings only, got " + item);
            out.add(item.textValue());
        }
        return out;
    }

    /** A string-to-string mapping (labels, matchLabels, selectors), sorted for comparison. */
    static Map<String, String> stringMap(JsonNode root, String pointer, String what) {
        JsonNode map = root.at(pointer);
        assertTrue(map.isObject(), what + ": " + pointer + " should be a mapping, got "
                + (map.isMissingNode() ? "nothing" : map));
        Map<String, String> out = new TreeMap<>();
        map.fields().forEachRemaining(e -> {
            assertTrue(e.getValue().isTextual(), what + ": " + pointer + "/" + e.getKey() + " should be a string");
            out.put(e.getKey(), e.getValue().textValue());
        });
        return out;
    }

    /** The element of a list of objects whose {@code name} field is {@code name}; fails when not exactly one. */
    static JsonNode named(JsonNode root, String pointer, String name, String what) {
        JsonNode array = root.at(pointer);
        assertTrue(array.isArray(), what + ": " + pointer + " should be a list");
        List<JsonNode> found = new ArrayList<>();
        array.forEach(item -> {
            if (name.equals(item.path("name").asText(null))) {
                found.add(item);
            }
        });
        assertEquals(1, found.size(), what + ": " + pointer + " should have exactly one entry named " + name);
        return found.get(0);
    }

    /** The entries of a list of objects keyed by their {@code name}, in order. */
    static Map<String, JsonNode> byName(JsonNode root, String pointer, String what) {
        JsonNode array = root.at(pointer);
        assertTrue(array.isArray(), what + ": " + pointer + " should be a list");
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode item : array) {
            String name = item.path("name").asText("");
            assertFalse(name.isEmpty(), what + ": " + pointer + " has an entry without a name: " + item);
            assertTrue(out.put(name, item) == null, what + ": " + pointer + " names " + name + " twice");
        }
        return out;
    }

    /** Seconds in a Go duration as cert-manager accepts it ("2160h", "720h0m0s", "90m"). */
    static long goDurationSeconds(String text, String what) {
        Matcher m = GO_DURATION.matcher(text == null ? "" : text);
        assertTrue(text != null && !text.isEmpty() && m.matches(), what + ": not a Go duration in h/m/s: " + text);
        long hours = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long minutes = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        long seconds = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return hours * 3600 + minutes * 60 + seconds;
    }

    static Path projectDir() {
        return Path.of("").toAbsolutePath();
    }
}
