package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proberewriter.json.Mappers;
import io.proberewriter.json.StrictJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a stream of Kubernetes manifests: multi-document YAML, or one or more JSON objects, as kubectl accepts
 * them. Empty documents (a trailing {@code ---}, a document of comments) are dropped.
 */
public final class ManifestReader {

    public List<SourceDocument> read(String source, String text) throws ManifestException {
        boolean looksLikeJson = text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[");
        ObjectMapper mapper = looksLikeJson ? Mappers.MANIFEST_JSON_READER : Mappers.MANIFEST_YAML_READER;
        List<SourceDocument> documents = new ArrayList<>();
        int number = 0;
        try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(text)) {
            while (true) {
                JsonLocation at = it.getCurrentLocation();
                JsonNode node;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    number++;
                    node = it.nextValue();
                } catch (JsonProcessingException e) {
                    throw invalid(source, number == 0 ? 1 : number, looksLikeJson, e, at);
                }
                // A trailing "---" or a document of comments reads as null or as an empty string: not a document.
                if (node == null || node.isNull() || node.isMissingNode()
                        || (node.isTextual() && node.asText().isBlank())) {
                    continue;
                }
                documents.add(new SourceDocument(source, number, node));
            }
        } catch (IOException e) {
            if (e instanceof JsonProcessingException jpe) {
                throw invalid(source, Math.max(number, 1), looksLikeJson, jpe, null);
            }
            throw new ManifestException(source + ": cannot read: " + e.getMessage(), e);
        }
        return documents;
    }

    private static ManifestException invalid(String source, int number, boolean json, JsonProcessingException e,
                                             JsonLocation fallback) {
        JsonLocation loc = e.getLocation() != null ? e.getLocation() : fallback;
        String where = loc == null || loc.getLineNr() < 0 ? ""
                : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return new ManifestException(source + ", document " + number + ": invalid " + (json ? "JSON" : "YAML")
                + where + ": " + StrictJson.message(e.getOriginalMessage()), e);
    }
}
