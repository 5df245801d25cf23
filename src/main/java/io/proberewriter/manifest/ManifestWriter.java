package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes documents as multi-document YAML in kubectl's layout (lists not indented, {@code ---} between). */
public final class ManifestWriter {

    private final YAMLMapper yaml = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Without this, an annotation value "8080" would be written bare and read back as a number.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            // Long annotation values (original-probes JSON) stay on one line, as kubectl prints them.
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    public String write(List<JsonNode> documents) {
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : documents) {
            if (!out.isEmpty()) {
                out.append("---\n");
            }
            try {
                out.append(yaml.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("cannot write YAML", e);
            }
        }
        return out.toString();
    }
}
