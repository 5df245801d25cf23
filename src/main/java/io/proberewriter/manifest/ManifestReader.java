package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proberewriter.json.Mappers;
import io.proberewriter.json.StrictJson;
import io.proberewriter.json.YamlSyntaxError;
import io.proberewriter.messages.Excerpt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a stream of Kubernetes manifests: multi-document YAML, or one or more JSON objects, as kubectl accepts
 * them. Empty documents (a trailing {@code ---}, a document of comments, {@code null}) are dropped; a document
 * holding a string, even an empty one ({@code --- ''}), is kept, for the caller to refuse as kubectl does.
 */
public final class ManifestReader {

    /** {@code {{ ... }}} unquoted: at the start of a line, or as a value after {@code key:} or a list's {@code -}. */
    private static final Pattern TEMPLATE_ACTION = Pattern.compile("^\\s*(?:-\\s+)?(?:[^\\s#\"'][^:#\"']*:\\s+)?\\{\\{");

    public List<SourceDocument> read(String source, String text) throws ManifestException {
        try {
            return readJsonOrYaml(source, text);
        } catch (ManifestException unreadable) {
            throw helmTemplate(source, text, unreadable).orElse(unreadable);
        }
    }

    private List<SourceDocument> readJsonOrYaml(String source, String text) throws ManifestException {
        boolean looksLikeJson = text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[");
        if (!looksLikeJson) {
            return read(source, text, false);
        }
        try {
            return read(source, text, true);
        } catch (ManifestException notJson) {
            // JSON is YAML: a YAML flow mapping ({apiVersion: v1, ...}) or a document that merely begins with '{'
            // is read as YAML, as kubectl reads it. The JSON error stays the answer when YAML cannot read it either.
            try {
                return read(source, text, false);
            } catch (ManifestException notYaml) {
                throw notJson;
            }
        }
    }

    /**
     * A Helm chart's template is not a manifest until Helm renders it: a YAML parser reads {@code {{ .Values.x }}}
     * as nested flow mappings and fails with its own internals. When the input cannot be read and a line up to the
     * one the parser failed on holds an unquoted template action, that line is named with what to do instead, and
     * the parser's error is kept beside it: a manifest may hold {@code {{ }}} legitimately (alerting templates in a
     * ConfigMap's block) and fail for another reason further down, which the hint alone would hide. A manifest that
     * reads is never taken for a template.
     */
    private static Optional<ManifestException> helmTemplate(String source, String text, ManifestException unreadable) {
        int failedAt = failedLine(unreadable);
        int line = 0;
        for (String content : text.split("\n", -1)) {
            line++;
            if (line > failedAt) {
                break;
            }
            if (TEMPLATE_ACTION.matcher(content).find()) {
                return Optional.of(new ManifestException(source + ": line " + line + " holds a template action ("
                        + Excerpt.of(content.strip()) + "): this looks like a Helm template; render it first, e.g. "
                        + "helm template RELEASE CHART | probe-rewriter rewrite -f - (if it is none, the parser's "
                        + "error: " + withoutSource(source, unreadable.getMessage()) + ")", unreadable));
            }
        }
        return Optional.empty();
    }

    /** The parser's error as said after the source's name, which the hint has already given. */
    private static String withoutSource(String source, String message) {
        return message.startsWith(source) ? message.substring(source.length()).replaceFirst("^[,:]\\s*", "") : message;
    }

    /** The line, from 1, the parser failed on; the last line when it did not say. */
    private static int failedLine(ManifestException unreadable) {
        Optional<YamlSyntaxError> syntax = YamlSyntaxError.of(unreadable);
        if (syntax.isPresent()) {
            return syntax.get().line();
        }
        if (unreadable.getCause() instanceof JsonProcessingException e && e.getLocation() != null
                && e.getLocation().getLineNr() > 0) {
            return e.getLocation().getLineNr();
        }
        return Integer.MAX_VALUE;
    }

    private List<SourceDocument> read(String source, String text, boolean looksLikeJson) throws ManifestException {
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
                // A trailing "---" or a document of comments reads as null: not a document, as kubectl skips it. A
                // quoted empty string ('' or "") is a document holding a string, which kubectl refuses ("cannot
                // unmarshal string"): it goes on, to be refused by name as any other scalar.
                if (node == null || node.isNull() || node.isMissingNode()) {
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
        Optional<YamlSyntaxError> syntax = json ? Optional.empty() : YamlSyntaxError.of(e);
        if (syntax.isPresent()) {
            // The parser's own problem, where it is: not only the first line of its message, at the context's place.
            return new ManifestException(source + ", document " + number + ": invalid YAML at line "
                    + syntax.get().line() + ", column " + syntax.get().column() + ": " + syntax.get().text(), e);
        }
        JsonLocation loc = e.getLocation() != null ? e.getLocation() : fallback;
        String where = loc == null || loc.getLineNr() < 0 ? ""
                : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return new ManifestException(source + ", document " + number + ": invalid " + (json ? "JSON" : "YAML")
                + where + ": " + StrictJson.message(e.getOriginalMessage()), e);
    }
}
