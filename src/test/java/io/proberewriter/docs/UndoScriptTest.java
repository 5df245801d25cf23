package io.proberewriter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.json.Mappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jq program docs/troubleshooting.md gives for undoing a rewrite, run as a user would run it on every golden
 * case's output: each pod-shaped document must come back as its input, probes, hooks and the injected prober alike.
 * Needs jq, which CI installs; elsewhere the test is skipped unless CI=true.
 */
class UndoScriptTest {

    /** The CLI's own reader: the inputs hold YAML anchors, which a plain mapper leaves unresolved. */
    private static final ObjectMapper YAML = Mappers.MANIFEST_YAML_READER;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> UNDONE_KINDS = Set.of("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job",
            "CronJob", "ReplicaSet");
    private static final Path DOC = Path.of("docs/troubleshooting.md");

    @TempDir
    Path dir;

    static Stream<GoldenCase> cases() throws IOException {
        return GoldenCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theDocumentedUndoRestoresTheInput(GoldenCase golden) throws Exception {
        Path jq = Path.of("/usr/bin/jq");
        assumeTrue(Files.isExecutable(jq) || "true".equals(System.getenv("CI")), "jq is not installed");
        Path script = dir.resolve("undo.jq");
        Files.writeString(script, undoScript());
        List<JsonNode> inputs = documents(golden.input());
        List<JsonNode> outputs = documents(golden.expected());
        assertEquals(inputs.size(), outputs.size(), golden.name());
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode output = outputs.get(i);
            // Documents the rewrite left alone have nothing to undo (one carries a record edited into garbage).
            if (!UNDONE_KINDS.contains(output.path("kind").asText()) || output.equals(inputs.get(i))) {
                continue;
            }
            String where = golden.name() + " document " + (i + 1);
            JsonNode restored = undo(jq, script, output, "doc" + i, where);
            // Not part of the undo: annotations the rewrite never wrote but a mesh may merge (port mode's exclusion).
            // A stale record the input brought (its probe edited since) is replaced by the probe as the input has it:
            // the undo gives back that probe, and no record. An input an earlier release rewrote already (its
            // prober's init container in place) comes back as that input undone: what the user wrote before either.
            JsonNode wanted = injectedBefore(inputs.get(i)) ? undo(jq, script, inputs.get(i), "input" + i, where)
                    : withoutRecord(inputs.get(i));
            assertEquals(withoutExclusions(wanted), withoutExclusions(restored), where);
        }
    }

    private JsonNode undo(Path jq, Path script, JsonNode document, String name, String where) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.write(file, JSON.writeValueAsBytes(document));
        Process process = new ProcessBuilder(jq.toString(), "-f", script.toString(), file.toString())
                .redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "jq did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), where + ": " + text);
        return JSON.readTree(text);
    }

    private static boolean injectedBefore(JsonNode document) {
        for (JsonNode inits : document.findValues("initContainers")) {
            for (JsonNode init : inits) {
                if ("probe-rewriter-prober".equals(init.path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode withoutRecord(JsonNode node) {
        JsonNode copy = node.deepCopy();
        for (JsonNode metadata : copy.findParents("annotations")) {
            if (metadata.path("annotations").has("probe-rewriter.io/original-probes")) {
                ObjectNode annotations = (ObjectNode) metadata.get("annotations");
                annotations.remove(List.of("probe-rewriter.io/original-probes", "probe-rewriter.io/status"));
                if (annotations.isEmpty()) {
                    ((ObjectNode) metadata).remove("annotations");
                }
            }
        }
        return copy;
    }

    private static JsonNode withoutExclusions(JsonNode node) {
        JsonNode copy = node.deepCopy();
        copy.findParents("traffic.sidecar.istio.io/excludeInboundPorts")
                .forEach(p -> ((ObjectNode) p).remove("traffic.sidecar.istio.io/excludeInboundPorts"));
        // The same exclusion, in the arguments of an already injected istio-init (the value after -d).
        for (JsonNode init : copy.findValues("initContainers")) {
            for (JsonNode container : init) {
                JsonNode args = container.path("args");
                if ("istio-init".equals(container.path("name").asText()) && args.isArray()) {
                    for (int i = 0; i + 1 < args.size(); i++) {
                        if ("-d".equals(args.get(i).asText())) {
                            ((com.fasterxml.jackson.databind.node.ArrayNode) args).set(i + 1, "");
                        }
                    }
                }
            }
        }
        return copy;
    }

    private static List<JsonNode> documents(Path yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml.toFile())) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static String undoScript() throws IOException {
        Matcher m = Pattern.compile("```jq\n(# undo\\.jq\n.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        assertTrue(m.find(), "docs/troubleshooting.md has no ```jq block starting with # undo.jq");
        return m.group(1);
    }
}
