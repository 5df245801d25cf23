package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.engine.NamespaceContext;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces an offline run knows: the defaults given on the command line apply to every namespace, and a
 * Namespace document in the input adds its own labels and annotations on top, as the cluster would.
 */
public final class NamespaceDirectory {

    private final Map<String, String> commandLineDefaults;
    private final Map<String, NamespaceContext> documents;

    private NamespaceDirectory(Map<String, String> commandLineDefaults, Map<String, NamespaceContext> documents) {
        this.commandLineDefaults = Map.copyOf(commandLineDefaults);
        this.documents = documents;
    }

    public static NamespaceDirectory of(List<SourceDocument> inputs, Map<String, String> commandLineDefaults) {
        Map<String, NamespaceContext> found = new HashMap<>();
        for (SourceDocument doc : inputs) {
            JsonNode node = doc.content();
            if ("Namespace".equals(node.path("kind").asText()) && "v1".equals(node.path("apiVersion").asText())) {
                JsonNode meta = node.path("metadata");
                String name = meta.path("name").asText("");
                if (!name.isEmpty()) {
                    found.put(name, new NamespaceContext(name, strings(meta.path("labels")),
                            strings(meta.path("annotations"))));
                }
            }
        }
        return new NamespaceDirectory(commandLineDefaults, found);
    }

    public NamespaceContext context(String name) {
        Map<String, String> annotations = new LinkedHashMap<>(commandLineDefaults);
        NamespaceContext doc = documents.get(name);
        if (doc == null) {
            // No Namespace document: its labels are unknown, not empty; the flags' annotations still apply.
            return new NamespaceContext(name, Map.of(), annotations, false);
        }
        annotations.putAll(doc.annotations());
        return new NamespaceContext(name, doc.labels(), annotations);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                result.put(e.getKey(), e.getValue().asText());
            }
        }
        return result;
    }
}
