package io.proberewriter.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.json.Mappers;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code probe-rewriter.io/original-probes} annotation: {@code "<container>/<kind>"} → the probe as it was
 * before the rewrite. It makes the rewrite reversible and idempotent: a probe listed here, and still as the engine
 * wrote it, is never rewritten again. Entries are kept as parsed JSON so that earlier entries come out byte for byte
 * as they went in.
 */
final class OriginalProbes {

    /** NON_NULL so that the stored probes carry no null noise. */
    private static final ObjectMapper JSON = Mappers.WRITTEN;

    private final SortedMap<String, JsonNode> entries;

    private OriginalProbes(SortedMap<String, JsonNode> entries) {
        this.entries = entries;
    }

    static OriginalProbes empty() {
        return new OriginalProbes(new TreeMap<>());
    }

    /** Parses the annotation; empty when it is not a JSON object of objects (someone edited it by hand). */
    static Optional<OriginalProbes> parse(String annotation) {
        if (annotation == null) {
            return Optional.of(empty());
        }
        try {
            JsonNode node = JSON.readTree(annotation);
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            SortedMap<String, JsonNode> entries = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject()) {
                    return Optional.empty();
                }
                entries.put(e.getKey(), e.getValue());
            }
            return Optional.of(new OriginalProbes(entries));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** The recorded original of a probe, when there is one that reads as a probe. */
    Optional<Probe> original(String key) {
        JsonNode entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.treeToValue(entry, Probe.class));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    SortedMap<String, JsonNode> entries() {
        return Collections.unmodifiableSortedMap(entries);
    }

    /** These entries but those of {@code keys}. */
    OriginalProbes without(Set<String> keys) {
        if (keys.isEmpty()) {
            return this;
        }
        SortedMap<String, JsonNode> copy = new TreeMap<>(entries);
        copy.keySet().removeAll(keys);
        return new OriginalProbes(copy);
    }

    /**
     * These entries plus {@code recorded} (a key already here is replaced), in one copy: the engine records every
     * probe of a pod and adds them at the end, so that a pod of 40,000 probes costs one copy and not one per probe.
     */
    OriginalProbes withAll(Map<String, Probe> recorded) {
        if (recorded.isEmpty()) {
            return this;
        }
        SortedMap<String, JsonNode> copy = new TreeMap<>(entries);
        // Kept as the model object and written straight into the annotation: the same bytes as through a tree,
        // without building one per probe (a twentieth of a ten-container pod's admission under C1). Only the keys
        // and the annotation are read from the copy; original() reads the entries parsed from the pod.
        recorded.forEach((key, original) -> copy.put(key, JSON.getNodeFactory().pojoNode(original)));
        return new OriginalProbes(copy);
    }

    /** Compact JSON with keys sorted, so the same rewrite always writes the same bytes. */
    String toAnnotation() {
        ObjectNode node = JSON.createObjectNode();
        entries.forEach(node::set);
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize original probes", e);
        }
    }
}
