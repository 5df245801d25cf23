package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.json.Mappers;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes documents as multi-document YAML in kubectl's layout (lists not indented, {@code ---} between). */
public final class ManifestWriter {

    public String write(List<JsonNode> documents) {
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : documents) {
            if (!out.isEmpty()) {
                out.append("---\n");
            }
            try {
                out.append(Mappers.MANIFEST_YAML_WRITER.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("cannot write YAML", e);
            }
        }
        return out.toString();
    }
}
