package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A pod-shaped object (metadata + spec) inside a document.
 *
 * @param pointer   JSON pointer of the pod-shaped object within the document ({@code /spec/template})
 * @param workload  how users name the owner, kubectl style ({@code deployment/httpbin})
 * @param namespace the owner's namespace, or null when the document does not say
 */
public record PodTemplateSite(String pointer, String workload, String namespace, JsonNode template) {

    /** The pointer as a field path users read ({@code spec.template}); empty for a Pod. */
    public String fieldPath() {
        return pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.').replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
    }
}
