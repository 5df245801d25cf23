package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.json.Mappers;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests the CLI writes are read again by kubectl, whose YAML reader (go-yaml v2, YAML 1.1) takes more plain
 * scalars for numbers than Jackson's writer quotes: every string must come back a string, whatever it looks like.
 */
class KubectlYamlQuotingTest {

    /** Strings go-yaml v2 would read as numbers, booleans, null or a merge key if they were written without quotes. */
    @ParameterizedTest
    @ValueSource(strings = {"1_000", "-1_000", "1_", "0x10", "0X1f", "0b101", "-0b1", "0o17", "017", "08", "1e3",
            "1E3", "1.5e-3", "+1", ".5", "-.5", "1.", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "~", "null", "NULL",
            "on", "Off", "y", "N", "yes", "No", "TRUE", "false", "<<", "", "8080", "10.0"})
    void stringsThatLookLikeOtherValuesAreQuoted(String value) throws Exception {
        String yaml = written(value);
        assertTrue(yaml.contains("a: \"" + value + "\"") || yaml.contains("a: '" + value + "'"),
                "the value " + value + " is quoted in:\n" + yaml);
        assertTrue(yaml.contains("\"" + value + "\": x") || yaml.contains("'" + value + "': x")
                        || (value.isEmpty() && yaml.contains("? \"\"\n  : x")),
                "the key " + value + " is quoted in:\n" + yaml);
        JsonNode back = new ManifestReader().read("out.yaml", yaml).get(0).content();
        assertEquals(value, back.at("/metadata/annotations/a").textValue(), yaml);
        assertTrue(back.path("data").has(value), yaml);
    }

    /** kubectl prints these bare, and they read back as the strings they are. */
    @ParameterizedTest
    @ValueSource(strings = {"16Mi", "100m", "1.2.3", "0x", "0xG", "1e", "_1", "v1", "2026-11-02", "http",
            "/healthz"})
    void ordinaryStringsStayBare(String value) throws Exception {
        String yaml = written(value);
        assertTrue(yaml.contains("a: " + value + "\n"),
                "the value " + value + " is written bare in:\n" + yaml);
        JsonNode back = new ManifestReader().read("out.yaml", yaml).get(0).content();
        assertEquals(value, back.at("/metadata/annotations/a").textValue(), yaml);
    }

    @Test
    void numbersThemselvesStayNumbers() throws Exception {
        ObjectNode document = Mappers.TREES.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        document.putObject("spec").put("replicas", 1_000).put("ratio", 1.5).put("text", "1000");
        String yaml = Mappers.MANIFEST_YAML_WRITER.writeValueAsString(document);
        assertTrue(yaml.contains("replicas: 1000\n"), yaml);
        assertTrue(yaml.contains("ratio: 1.5\n"), yaml);
        assertTrue(yaml.contains("text: \"1000\"\n"), yaml);
    }

    /**
     * Any string comes back as it was, as a value and as a key: made of the characters YAML treats specially, line
     * breaks of YAML 1.1 alone (NEL, LS, PS) among them, which a literal block or single quotes would turn into
     * newlines. Read back with the CLI's own reader, a YAML 1.1 reader as kubectl's is.
     */
    @Test
    void everyStringComesBackAsItWas() throws Exception {
        String alphabet = "ab :#-\n\t '\"\\\u00e9\u0085\u2028\u2029\r{}[]&*!|>%@`,?\u001b\ud83d\ude00";
        Random random = new Random(20261202);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int length = random.nextInt(8); length > 0; length--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = text.toString();
            if (value.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                continue; // half of the emoji's pair: not text
            }
            String yaml = written(value);
            JsonNode back = new ManifestReader().read("out.yaml", yaml).get(0).content();
            assertEquals(value, back.at("/metadata/annotations/a").textValue(), yaml);
            assertTrue(back.path("data").has(value), yaml);
        }
    }

    private static String written(String value) throws Exception {
        ObjectNode document = Mappers.TREES.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        document.putObject("metadata").put("name", "c").putObject("annotations").put("a", value);
        document.putObject("data").put(value, "x");
        return Mappers.MANIFEST_YAML_WRITER.writeValueAsString(document);
    }
}
