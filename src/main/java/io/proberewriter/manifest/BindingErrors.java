package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.proberewriter.json.StrictJson;
import java.util.List;
import java.util.Map;

/**
 * A document that fabric8's model refuses, said as a kubectl user reads it: the field's path in the document, what
 * was expected there and what was found ({@code spec.limits[0].min.cpu: expected a string, got an object}).
 */
final class BindingErrors {

    private static final Map<String, String> TYPE_WORDS = Map.ofEntries(
            Map.entry("Integer", "an integer"), Map.entry("Long", "an integer"), Map.entry("int", "an integer"),
            Map.entry("long", "an integer"), Map.entry("String", "a string"), Map.entry("Boolean", "a boolean"),
            Map.entry("boolean", "a boolean"), Map.entry("List", "a list"), Map.entry("ArrayList", "a list"),
            Map.entry("Map", "an object"), Map.entry("LinkedHashMap", "an object"));

    private BindingErrors() {
    }

    /**
     * @param root the object that was bound
     * @param base where {@code root} is in its document, as a field path ({@code ""} for the document itself)
     */
    static String describe(JsonNode root, String base, JsonMappingException e) {
        return fieldPath(base, e) + ": " + problem(root, e);
    }

    private static String fieldPath(String base, JsonMappingException e) {
        StringBuilder path = new StringBuilder(base);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(document)" : path.toString();
    }

    private static String problem(JsonNode root, JsonMappingException e) {
        String expected = null;
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            expected = TYPE_WORDS.getOrDefault(mismatch.getTargetType().getSimpleName(), "an object");
        } else if (StrictJson.refusedByIntOrString(e)) {
            expected = StrictJson.INT_OR_STRING;
        }
        if (expected != null) {
            JsonNode found = valueAt(root, e.getPath());
            String got = found == null ? "" : ", got " + PodTemplates.describe(found);
            String hint = "";
            if (found != null && found.isValueNode() && "a string".equals(expected)) {
                hint = " (quote it: YAML reads unquoted true, off, yes or 8080 as a boolean or a number)";
            } else if (found != null && found.isTextual() && found.asText().matches("[+-]?[0-9]+")
                    && "an integer".equals(expected)) {
                hint = " (unquote it: Kubernetes reads no number from a string here)";
            }
            return "expected " + expected + got + hint;
        }
        return StrictJson.message(e.getOriginalMessage());
    }

    private static JsonNode valueAt(JsonNode root, List<JsonMappingException.Reference> path) {
        JsonNode node = root;
        for (JsonMappingException.Reference ref : path) {
            if (node == null) {
                return null;
            }
            node = ref.getFieldName() != null ? node.get(ref.getFieldName())
                    : ref.getIndex() >= 0 ? node.get(ref.getIndex()) : node;
        }
        return node;
    }
}
