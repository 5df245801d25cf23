package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.json.Mappers;
import io.proberewriter.json.YamlTreeDeserializer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Anchors, aliases and merge keys read as kubectl reads them (its YAML reader, go-yaml, resolves them): Jackson's own
 * tree reader leaves an alias as the string of its name.
 */
class YamlAliasesTest {

    private static JsonNode only(String yaml) throws ManifestException {
        List<SourceDocument> documents = new ManifestReader().read("in.yaml", yaml);
        assertEquals(1, documents.size());
        return documents.get(0).content();
    }

    @Test
    void scalarAliasIsTheAnchoredValueWithItsType() throws ManifestException {
        JsonNode pod = only("""
                kind: Pod
                spec:
                  containers:
                  - ports: [{containerPort: &port 8080}]
                    livenessProbe: {httpGet: {path: /h, port: *port}}
                """);
        JsonNode port = pod.at("/spec/containers/0/livenessProbe/httpGet/port");
        assertTrue(port.isInt(), "an alias of 8080 is the integer 8080, not the string \"port\": " + port);
        assertEquals(8080, port.intValue());
    }

    @Test
    void aliasedMappingIsACopyNotTheSameNode() throws ManifestException {
        JsonNode pod = only("""
                kind: Pod
                spec:
                  containers:
                  - livenessProbe: &probe {httpGet: {path: /h, port: 8080}, periodSeconds: 5}
                    readinessProbe: *probe
                """);
        JsonNode liveness = pod.at("/spec/containers/0/livenessProbe");
        JsonNode readiness = pod.at("/spec/containers/0/readinessProbe");
        assertEquals(liveness, readiness);
        assertNotSame(liveness, readiness);
        ((ObjectNode) readiness).put("periodSeconds", 10);
        assertEquals(5, liveness.path("periodSeconds").intValue(), "changing the copy left the anchored value alone");
    }

    @Test
    void mergeKeyAddsWhatTheMappingDoesNotSetItself() throws ManifestException {
        JsonNode pod = only("""
                kind: Pod
                spec:
                  containers:
                  - livenessProbe: &base {httpGet: {path: /h, port: 8080}, periodSeconds: 5, timeoutSeconds: 2}
                    readinessProbe:
                      periodSeconds: 1
                      <<: *base
                """);
        JsonNode readiness = pod.at("/spec/containers/0/readinessProbe");
        assertEquals(1, readiness.path("periodSeconds").intValue(), "the mapping's own key wins, wherever << is");
        assertEquals(2, readiness.path("timeoutSeconds").intValue());
        assertEquals("/h", readiness.at("/httpGet/path").asText());
        assertTrue(readiness.path("<<").isMissingNode(), "the merge key itself is not a field: " + readiness);
    }

    @Test
    void aQuotedMergeKeyIsAnOrdinaryKey() throws ManifestException {
        JsonNode data = only("kind: ConfigMap\ndata:\n  \"<<\": text\n  '<<x': y\n").path("data");
        assertEquals("text", data.path("<<").asText(), data.toString());
    }

    @Test
    void mergeOfAListTakesTheEarlierMappingsFirst() throws ManifestException {
        JsonNode labels = only("""
                a: &a {team: a, tier: web}
                b: &b {team: b, zone: x}
                labels:
                  <<: [*a, *b]
                """).path("labels");
        assertEquals("a", labels.path("team").asText());
        assertEquals("web", labels.path("tier").asText());
        assertEquals("x", labels.path("zone").asText());
    }

    @Test
    void anchorsBelongToTheirDocument() {
        ManifestException e = assertThrows(ManifestException.class, () -> new ManifestReader().read("in.yaml", """
                kind: ConfigMap
                data: {a: &v one}
                ---
                kind: ConfigMap
                data: {b: *v}
                """));
        assertTrue(e.getMessage().contains("in.yaml, document 2"), e.getMessage());
        assertTrue(e.getMessage().contains("the alias *v refers to no anchor &v before it"), e.getMessage());
        assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    }

    @Test
    void anAliasInsideItsOwnAnchorIsRefused() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> new ManifestReader().read("in.yaml", "kind: ConfigMap\ndata: &d {a: *d}\n"));
        assertTrue(e.getMessage().contains("the alias *d refers to no anchor"), e.getMessage());
    }

    @Test
    void mergeOfAScalarIsRefusedByName() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> new ManifestReader().read("in.yaml", "kind: ConfigMap\nx: &s text\ndata: {<<: *s}\n"));
        assertTrue(e.getMessage().contains("the merge key << takes a mapping or a list of mappings"), e.getMessage());
        assertTrue(e.getMessage().contains("not a string"), e.getMessage());
    }

    @Test
    void anAliasAsAKeyIsRefusedInTheManifestsWords() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> new ManifestReader().read("in.yaml", "kind: ConfigMap\nx: &k key\ndata:\n  *k : v\n"));
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
        assertTrue(e.getMessage().contains("an alias (*k) as a mapping key is not supported"), e.getMessage());
        assertFalse(e.getMessage().contains("snakeyaml"), e.getMessage());
    }

    @Test
    void billionLaughsIsRefusedBeforeItExpands() {
        StringBuilder yaml = new StringBuilder("kind: ConfigMap\n"
                + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            String previous = "*a" + (level - 1);
            yaml.append('a').append(level).append(": &a").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, previous))).append("]\n");
        }
        ManifestException e = assertThrows(ManifestException.class,
                () -> new ManifestReader().read("in.yaml", yaml.toString()));
        assertTrue(e.getMessage().contains("copy more than 100,000 values"), e.getMessage());
    }

    @Test
    void aliasesUpToTheBoundAreRead() throws ManifestException {
        // 1,000 copies of a 10-value mapping (each alias copies it with its nine scalars): within the bound.
        StringBuilder yaml = new StringBuilder("kind: ConfigMap\nbase: &b {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7,"
                + " h: 8, i: 9}\nitems:\n");
        for (int i = 0; i < 1_000; i++) {
            yaml.append("- *b\n");
        }
        assertEquals(1_000, only(yaml.toString()).path("items").size());
        assertTrue(1_000 * 10 < YamlTreeDeserializer.MOST_COPIED_VALUES);
    }

    @Test
    void meshConfigInAConfigMapResolvesAliasesToo() throws Exception {
        JsonNode mesh = Mappers.YAML.readTree("defaults: &d {holdApplicationUntilProxyStarts: true}\n"
                + "defaultConfig: *d\n");
        assertTrue(mesh.at("/defaultConfig/holdApplicationUntilProxyStarts").booleanValue(), mesh.toString());
    }

    @Test
    void documentsWithoutAliasesReadAsBefore() throws ManifestException {
        JsonNode node = only("""
                kind: Pod
                n: 12345678901
                big: 123456789012345678901234567890
                f: 1.5
                t: true
                nothing:
                s: "<<"
                list: [1, "2", null]
                """);
        assertTrue(node.path("n").isLong());
        assertTrue(node.path("big").isBigInteger());
        assertEquals(1.5, node.path("f").doubleValue());
        assertTrue(node.path("t").isBoolean());
        assertTrue(node.path("nothing").isNull(), "an empty plain value is null, as for Kubernetes");
        assertEquals("<<", node.path("s").asText());
        assertEquals("[1,\"2\",null]", node.path("list").toString());
    }
}
