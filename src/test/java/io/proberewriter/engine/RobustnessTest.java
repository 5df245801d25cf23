package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.proberewriter.fidelity.KubeletCommandExpansion;
import io.proberewriter.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine runs on the admission path: whatever shape of pod it is given, it must finish with a result —
 * never an exception — and what it returns must be a fixed point.
 */
class RobustnessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProbeRewriter ENGINE = new ProbeRewriter(EngineFixtures.ANY_HEALTH_PORT, new AssumeAllMtlsOracle());

    @Test
    void anUnknownNamespaceMeansGlobalDefaults() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withNewLivenessProbe().withNewHttpGet()
                        .withPort(new IntOrString(8080)).endHttpGet().endLivenessProbe().build())
                .endSpec().build();
        RewriteResult result = ENGINE.rewrite(pod, null);
        assertEquals(1, result.replacements().size());
        assertTrue(result.decisions().get(0).reason().contains("mode exec: global default"),
                result.decisions().get(0).reason());
    }

    @Test
    void aProbeWithTwoHandlersIsLeftAsItIs() {
        // Kubernetes refuses it, but only after the webhooks have run; a gRPC handler without a port once made the
        // exec conversion throw (ManifestFuzzTestInputs: two-handlers-grpc-without-a-port).
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("app")
                        .withNewReadinessProbe().withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet()
                        .withNewGrpc().endGrpc().endReadinessProbe()
                        .withNewLivenessProbe().withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet()
                        .withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket().endLivenessProbe()
                        .withNewStartupProbe().withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet()
                        .endStartupProbe().build())
                .endSpec().build();
        RewriteResult result = ENGINE.rewrite(pod, NamespaceContext.unknown("default"));
        assertEquals(1, result.replacements().size(), "only the startup probe, which has one handler");
        List<String> reasons = result.decisions().stream().map(decision -> decision.reason()).toList();
        assertTrue(reasons.contains("the probe has more than one handler (httpGet, grpc): Kubernetes refuses it as it"
                + " stands, so it is left as is"), reasons.toString());
        assertTrue(reasons.contains("the probe has more than one handler (httpGet, tcpSocket): Kubernetes refuses it"
                + " as it stands, so it is left as is"), reasons.toString());
    }

    @Test
    void containersWithoutANameAreLeftAloneWithAWarning() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withNewLivenessProbe().withNewHttpGet()
                                .withPort(new IntOrString(8080)).endHttpGet().endLivenessProbe().build(),
                        new ContainerBuilder().withName("named").withNewLivenessProbe().withNewHttpGet()
                                .withPort(new IntOrString(8080)).endHttpGet().endLivenessProbe().build())
                .endSpec().build();
        RewriteResult result = ENGINE.rewrite(pod, NamespaceContext.unknown("default"));
        assertTrue(result.warnings().contains("containers[0] has no name: its probes are left unchanged"),
                result.warnings().toString());
        assertEquals(1, result.replacements().size());
        assertEquals("named", result.replacements().get(0).container().name());
        assertEquals(1, result.replacements().get(0).container().index());
    }

    /** Before validation, anything can arrive: a header that curl would misread must not reach its argv. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "@/etc/passwd|x|httpHeaders[0] has no valid header name, which the API server will refuse too",
            "X Space|x|httpHeaders[0] has no valid header name, which the API server will refuse too",
            "X-Colon:|x|httpHeaders[0] has no valid header name, which the API server will refuse too",
            "X-Line|'a\nInjected: yes'|httpHeaders[0] (X-Line) has the control character U+000A (LF) in its value,"
                    + " which the kubelet refuses to send: the probe fails whatever the app answers"})
    void unsafeHeadersLeaveTheProbeUnchangedWithAWarning(String name, String value, String problem) {
        String decoded = value.replace("\\n", "\n");
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withNewLivenessProbe().withNewHttpGet()
                        .withPort(new IntOrString(8080)).addNewHttpHeader().withName(name).withValue(decoded)
                        .endHttpHeader().endHttpGet().endLivenessProbe().build())
                .endSpec().build();
        RewriteResult result = ENGINE.rewrite(pod, NamespaceContext.unknown("default"));
        assertFalse(result.changed());
        assertTrue(result.decisions().get(0).brokenByMtls());
        assertTrue(result.decisions().get(0).reason().contains(problem), result.decisions().get(0).reason());
        assertTrue(result.warnings().contains("app/liveness probe stays broken by mTLS: " + problem),
                result.warnings().toString());
    }

    /**
     * Go's HTTP client, which the kubelet probes with, refuses to send a header value holding a control character
     * other than tab, or DEL: the original probe fails every time. A command that sent it anyway could pass, so the
     * probe is left as it is and the warning names the character.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "0000|NUL", "0001|SOH", "0008|BS", "000A|LF", "000B|VT", "000C|FF", "000D|CR", "001B|ESC", "001F|US",
            "007F|DEL"})
    void headerValuesTheKubeletRefusesLeaveTheProbeUnchanged(String codePoint, String name) {
        char control = (char) Integer.parseInt(codePoint, 16);
        Pod pod = podWithHeader("X-Trace", "id" + control + "[31m");
        RewriteResult result = ENGINE.rewrite(pod, NamespaceContext.unknown("default"));
        String problem = "httpHeaders[0] (X-Trace) has the control character U+" + codePoint + " (" + name
                + ") in its value, which the kubelet refuses to send: the probe fails whatever the app answers";
        assertFalse(result.changed(), "rewritten although the kubelet would refuse U+" + codePoint);
        assertTrue(result.decisions().get(0).brokenByMtls());
        assertTrue(result.decisions().get(0).reason().endsWith("; left unchanged: " + problem),
                result.decisions().get(0).reason());
        assertEquals(List.of("app/liveness probe stays broken by mTLS: " + problem), result.warnings());
    }

    /** What Go sends as it is must still be rewritten: tab, spaces, non-ASCII text, and C1 controls (bytes 0x80+). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"a\tb", " padded ", "caf\u00e9", "next\u0085line",
            "\u00a0nbsp", "~!@#$%^&*()", ""})
    void headerValuesTheKubeletSendsAreRewritten(String value) {
        RewriteResult result = ENGINE.rewrite(podWithHeader("X-Trace", value), NamespaceContext.unknown("default"));
        assertEquals(1, result.replacements().size(), () -> "not rewritten: " + result.decisions());
        // As the command reaches curl: after the kubelet has expanded it (its "$" is written "$$").
        List<String> argv = KubeletCommandExpansion.expand(
                result.replacements().get(0).probe().getExec().getCommand(), List.of());
        assertTrue(argv.contains(value.isEmpty() ? "X-Trace;" : "X-Trace: " + value), argv::toString);
    }

    @Test
    void onlyControlCharactersOtherThanTabAndDelAreRefusedAmongTheFirst256() {
        for (char c = 0; c < 256; c++) {
            boolean goRefuses = c <= 0x08 || (c >= 0x0a && c <= 0x1f) || c == 0x7f;
            assertEquals(goRefuses ? 1 : -1, LocalHttpCheck.firstCharacterGoRefuses("x" + c),
                    String.format("U+%04X", (int) c));
        }
    }

    private static Pod podWithHeader(String name, String value) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withNewLivenessProbe().withNewHttpGet()
                        .withPort(new IntOrString(8080)).addNewHttpHeader().withName(name).withValue(value)
                        .endHttpHeader().endHttpGet().endLivenessProbe().build())
                .endSpec().build();
    }

    @Test
    void randomlyDamagedPodsNeverMakeTheEngineThrow() throws IOException {
        List<JsonNode> seeds = goldenPods();
        assertFalse(seeds.isEmpty());
        Random random = new Random(20261121L);
        int converted = 0;
        for (int round = 0; round < 3000; round++) {
            JsonNode damaged = seeds.get(random.nextInt(seeds.size())).deepCopy();
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                damage(damaged, random);
            }
            Pod pod;
            try {
                pod = JSON.treeToValue(damaged, Pod.class);
            } catch (IOException notAPod) {
                continue; // The CLI reports these as bad input before the engine sees them.
            }
            converted++;
            Pod input = pod;
            RewriteResult result = assertDoesNotThrow(() -> ENGINE.rewrite(input, NamespaceContext.unknown("ns")),
                    () -> "engine threw on " + damaged);
            Pod rewritten = assertDoesNotThrow(() -> AppliedRewrite.apply(result, input));
            assertFalse(ENGINE.rewrite(rewritten, NamespaceContext.unknown("ns")).changed(),
                    () -> "not a fixed point: " + damaged);
        }
        assertTrue(converted > 1000, "too few damaged pods were valid enough to test: " + converted);
    }

    /** Removes a field, nulls it, empties it, or swaps a value for an unexpected one of another type. */
    private static void damage(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object && object.size() > 0) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            String field = names.get(random.nextInt(names.size()));
            switch (random.nextInt(6)) {
                case 0 -> object.remove(field);
                case 1 -> object.putNull(field);
                case 2 -> object.set(field, JsonNodeFactory.instance.objectNode());
                case 3 -> object.set(field, JsonNodeFactory.instance.arrayNode());
                case 4 -> object.put(field, random.nextInt(70000) - 1);
                default -> object.put(field, List.of("", "http", "-1", "../..", "x".repeat(300), "ünïcode")
                        .get(random.nextInt(6)));
            }
        } else if (target instanceof ArrayNode array && array.size() > 0) {
            int index = random.nextInt(array.size());
            if (random.nextBoolean()) {
                array.remove(index);
            } else {
                array.insert(index, array.get(index).deepCopy());
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> into) {
        if (node.isContainerNode()) {
            into.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), into);
            }
        }
    }

    private static List<JsonNode> goldenPods() throws IOException {
        List<JsonNode> pods = new ArrayList<>();
        ObjectMapper yaml = Mappers.MANIFEST_YAML_READER; // the CLI's reader: golden inputs may hold YAML anchors
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/golden"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().equals("input.yaml")).toList()) {
                for (JsonNode doc : yaml.readerFor(JsonNode.class).readValues(Files.readString(file)).readAll()
                        .stream().map(JsonNode.class::cast).toList()) {
                    if ("Pod".equals(doc.path("kind").asText())) {
                        pods.add(doc);
                    }
                }
            }
        }
        return pods;
    }
}
