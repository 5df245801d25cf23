package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.ContentReference;
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
 * holding a string, even an empty one ({@code ''}), is kept, for the caller to refuse as kubectl does. Separators
 * are kubectl's, which refuses text after the dashes ({@code --- ''}) before it parses anything.
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
            return readYaml(source, text, null);
        }
        try {
            return read(source, text, true);
        } catch (ManifestException notJson) {
            // JSON is YAML: a YAML flow mapping ({apiVersion: v1, ...}) or a document that merely begins with '{'
            // is read as YAML, as kubectl reads it. The JSON error stays the answer when YAML cannot read it either.
            return readYaml(source, text, notJson);
        }
    }

    /**
     * YAML, with kubectl's rule for document separators on top of the parser's: kubectl splits the stream into
     * documents itself before parsing any (apimachinery's YAMLReader), and a line that begins with {@code ---} may
     * hold nothing after it but spaces and a {@code #} comment; anything else ({@code --- {apiVersion: v1, ...}},
     * {@code --- apiVersion: v1}, {@code --- ''}, {@code ----}) fails the whole source with "invalid Yaml document
     * separator". YAML itself lets a document start on that line, so the parser alone would read such a stream that
     * kubectl refuses to apply. Of the two problems, the one on the earlier line is said. A separator kubectl takes
     * never reaches its parser, so ours gets it as a bare {@code ---}: SnakeYAML would refuse a tab after the dashes
     * ({@code ---\t# comment}) and read {@code ---#comment} as text, both of which kubectl takes for separators.
     *
     * @param notJson what the JSON reader said, for a source that looked like JSON; null for one that did not
     */
    private List<SourceDocument> readYaml(String source, String text, ManifestException notJson)
            throws ManifestException {
        Optional<SeparatorLine> separator = SeparatorLine.first(text);
        List<SourceDocument> documents;
        try {
            documents = read(source, SeparatorLine.bare(text), false);
        } catch (ManifestException notYaml) {
            if (separator.isPresent() && failedLine(notYaml) >= separator.get().line()) {
                throw separator.get().refusedWhereTheParserFailed(source);
            }
            throw notJson != null ? notJson : notYaml;
        }
        if (separator.isPresent()) {
            throw separator.get().refusedWhereTheParserReadAll(source);
        }
        return documents;
    }

    /**
     * A line kubectl takes for a document separator with something after it that is neither space nor a comment.
     *
     * @param line  from 1
     * @param after what follows the {@code ---}, without the spaces around it
     */
    private record SeparatorLine(int line, String after) {

        /** The first such line: kubectl's splitter stops there. */
        static Optional<SeparatorLine> first(String text) {
            int line = 0;
            for (int start = 0; start <= text.length(); start = lineEnd(text, start) + 1) {
                line++;
                Optional<String> after = afterDashes(text, start);
                if (after.isPresent() && !after.get().isEmpty() && after.get().charAt(0) != '#') {
                    return Optional.of(new SeparatorLine(line, after.get()));
                }
            }
            return Optional.empty();
        }

        /**
         * {@code text} with what follows the dashes of each line kubectl takes for a separator cut away, lines and
         * their numbers kept; {@code text} itself when there is nothing to cut.
         */
        static String bare(String text) {
            StringBuilder out = null;
            int copied = 0;
            for (int start = 0; start <= text.length(); start = lineEnd(text, start) + 1) {
                int end = lineEnd(text, start);
                Optional<String> after = afterDashes(text, start);
                boolean separator = after.isPresent() && (after.get().isEmpty() || after.get().charAt(0) == '#');
                if (separator && end > start + 3) {
                    out = out == null ? new StringBuilder(text.length()) : out;
                    out.append(text, copied, start + 3);
                    copied = end;
                }
            }
            return out == null ? text : out.append(text, copied, text.length()).toString();
        }

        private static int lineEnd(String text, int start) {
            int end = text.indexOf('\n', start);
            return end < 0 ? text.length() : end;
        }

        /** For a line that begins with {@code ---}, what follows the dashes, trimmed as kubectl trims it. */
        private static Optional<String> afterDashes(String text, int start) {
            return text.startsWith("---", start)
                    ? Optional.of(goTrimSpace(text.substring(start + 3, lineEnd(text, start))))
                    : Optional.empty();
        }

        /** Go's strings.TrimSpace, which kubectl's splitter applies: Unicode's white space, NEL and NBSP too. */
        private static String goTrimSpace(String text) {
            int from = 0;
            int to = text.length();
            while (from < to && goSpace(text.charAt(from))) {
                from++;
            }
            while (to > from && goSpace(text.charAt(to - 1))) {
                to--;
            }
            return text.substring(from, to);
        }

        private static boolean goSpace(char c) {
            return Character.isSpaceChar(c) || (c >= '\t' && c <= '\r') || c == '\u0085';
        }

        /**
         * For a source the parser failed on at or after this line: a parse error at the line, as the parser's own
         * are, so that the Helm hint looks for template actions above it only.
         */
        ManifestException refusedWhereTheParserFailed(String source) {
            return new ManifestException(message(source), new JsonParseException(null, message(source),
                    new JsonLocation(ContentReference.unknown(), -1L, line, 1)));
        }

        /** For a source the parser read whole: no parser's error behind it, so never taken for a Helm template. */
        ManifestException refusedWhereTheParserReadAll(String source) {
            return new ManifestException(message(source));
        }

        private String message(String source) {
            return source + ": invalid YAML at line " + line + ": a document separator (---) may be followed only by"
                    + " spaces or a # comment, not \"" + Excerpt.of(after) + "\" (kubectl: invalid Yaml document"
                    + " separator); start the document on the next line";
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
        if (unreadable.getCause() == null) {
            return Optional.empty(); // the parser read it all (kubectl refuses it for another reason)
        }
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
