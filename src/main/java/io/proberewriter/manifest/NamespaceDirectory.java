package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.json.Mappers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces an offline run knows: the defaults given on the command line apply to every namespace, and a
 * Namespace document in the input adds its own labels and annotations on top, as the cluster would. A LimitRange
 * document gives its namespace's container limits (its own namespace, else the command line's). Both are read in
 * Lists too.
 */
public final class NamespaceDirectory {

    private final Map<String, String> commandLineDefaults;
    private final Map<String, NamespaceContext> documents;
    private final Map<String, ContainerLimits> limits;

    private NamespaceDirectory(Map<String, String> commandLineDefaults, Map<String, NamespaceContext> documents,
                               Map<String, ContainerLimits> limits) {
        this.commandLineDefaults = Map.copyOf(commandLineDefaults);
        this.documents = documents;
        this.limits = limits;
    }

    /** Namespaces known only by the command line's defaults: no Namespace or LimitRange documents. */
    public static NamespaceDirectory defaultsOnly(Map<String, String> commandLineDefaults) {
        return new NamespaceDirectory(commandLineDefaults, Map.of(), Map.of());
    }

    /**
     * @param defaultNamespace the namespace of documents that name none ({@code -n})
     */
    public static NamespaceDirectory of(List<SourceDocument> inputs, Map<String, String> commandLineDefaults,
                                        String defaultNamespace) throws ManifestException {
        Map<String, NamespaceContext> found = new HashMap<>();
        Map<String, List<LimitRange>> ranges = new HashMap<>();
        for (SourceDocument doc : inputs) {
            collect(doc, doc.content(), "", defaultNamespace, found, ranges);
        }
        Map<String, ContainerLimits> limits = new HashMap<>();
        ranges.forEach((namespace, list) -> limits.put(namespace, ContainerLimits.of(list)));
        return new NamespaceDirectory(commandLineDefaults, found, limits);
    }

    /**
     * One object of a document, or the items of a List ({@code kubectl get namespaces,limitranges -o yaml} prints
     * one).
     *
     * @param path where {@code node} is in its document, as a field path ({@code ""} for the document itself)
     */
    private static void collect(SourceDocument doc, JsonNode node, String path, String defaultNamespace,
                                Map<String, NamespaceContext> found, Map<String, List<LimitRange>> ranges)
            throws ManifestException {
        String kind = node.path("kind").asText();
        if (kind.endsWith("List") && node.path("items").isArray()) {
            JsonNode items = node.path("items");
            for (int i = 0; i < items.size(); i++) {
                // An item of a typed list (NamespaceList, LimitRangeList) may say neither apiVersion nor kind.
                collect(doc, ListItems.typed(node, items.get(i)),
                        (path.isEmpty() ? "" : path + ".") + "items[" + i + "]",
                        defaultNamespace, found, ranges);
            }
            return;
        }
        if (!"v1".equals(node.path("apiVersion").asText())) {
            return;
        }
        if ("LimitRange".equals(kind)) {
            String namespace = node.path("metadata").path("namespace").asText("");
            ranges.computeIfAbsent(namespace.isEmpty() ? defaultNamespace : namespace, n -> new ArrayList<>())
                    .add(limitRange(doc, node, path));
        }
        if ("Namespace".equals(kind)) {
            JsonNode meta = node.path("metadata");
            String name = meta.path("name").asText("");
            if (!name.isEmpty()) {
                found.put(name, new NamespaceContext(name, strings(meta.path("labels")),
                        strings(meta.path("annotations"))));
            }
        }
    }

    private static LimitRange limitRange(SourceDocument doc, JsonNode node, String path) throws ManifestException {
        try {
            return Mappers.MANIFEST_MODEL.treeToValue(node, LimitRange.class);
        } catch (JsonMappingException e) {
            throw new ManifestException(doc.describe() + ": " + BindingErrors.describe(node, path, e), e);
        } catch (JsonProcessingException e) {
            throw new ManifestException(doc.describe() + ": not a LimitRange the API server would take: "
                    + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new ManifestException(doc.describe() + ": not a LimitRange the API server would take: "
                    + e.getMessage());
        }
    }

    public NamespaceContext context(String name) {
        Map<String, String> annotations = new LinkedHashMap<>(commandLineDefaults);
        NamespaceContext doc = documents.get(name);
        ContainerLimits containerLimits = limits.getOrDefault(name, ContainerLimits.NONE);
        if (doc == null) {
            // No Namespace document: its labels are unknown, not empty; the flags' annotations still apply.
            return new NamespaceContext(name, Map.of(), annotations, false, containerLimits);
        }
        annotations.putAll(doc.annotations());
        return new NamespaceContext(name, doc.labels(), annotations, true, containerLimits);
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
