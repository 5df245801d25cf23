package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One document of an input stream.
 *
 * @param source where it came from ({@code deploy.yaml}, {@code <stdin>})
 * @param number its position in that source, counted from 1 as users count documents
 */
public record SourceDocument(String source, int number, JsonNode content) {

    /** {@code deploy.yaml, document 2}: where a document is, for reports that name the workload themselves. */
    public String location() {
        return source + ", document " + number;
    }

    /** {@code deploy.yaml, document 2 (Deployment web)}: how errors and reports point at a document. */
    public String describe() {
        String kind = content.path("kind").asText("");
        String name = content.path("metadata").path("name").asText("");
        String what = kind.isEmpty() ? "" : " (" + kind + (name.isEmpty() ? "" : " " + name) + ")";
        return source + ", document " + number + what;
    }
}
