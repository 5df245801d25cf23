package io.proberewriter.engine;

import java.util.Map;

/**
 * What the engine knows of the pod's namespace: its name, and the labels and annotations that give
 * namespace defaults. Built from an informer cache in the webhook, from Namespace documents in the CLI.
 */
public record NamespaceContext(String name, Map<String, String> labels, Map<String, String> annotations) {

    public NamespaceContext {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** A namespace the engine knows nothing about: global defaults apply. */
    public static NamespaceContext unknown(String name) {
        return new NamespaceContext(name, Map.of(), Map.of());
    }
}
