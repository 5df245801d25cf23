package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WholeNumbersTest {

    private static final ObjectMapper YAML = new YAMLMapper();

    private static String madeWhole(String yaml) throws Exception {
        JsonNode tree = YAML.readTree(yaml);
        WholeNumbers.makeWhole(tree);
        return tree.toString();
    }

    @Test
    void aFractionOfZeroBecomesTheWholeNumberEverywhereInTheTree() throws Exception {
        assertEquals("{\"a\":10,\"b\":[2,{\"c\":-3}],\"d\":0,\"e\":6000000000}",
                madeWhole("{a: 10.0, b: [2.00, {c: -3.0}], d: -0.0, e: 6.0e9}"));
    }

    @Test
    void fractionsStringsAndIntegersStayAsTheyAre() throws Exception {
        assertEquals("{\"a\":1.5,\"b\":\"10.0\",\"c\":7,\"d\":[0.25],\"e\":true,\"f\":null}",
                madeWhole("{a: 1.5, b: '10.0', c: 7, d: [0.25], e: true, f: null}"));
    }

    @Test
    void numbersBeyondALongAndNonNumbersAreLeftForTheReaderToRefuse() throws Exception {
        ObjectNode tree = (ObjectNode) YAML.readTree("{c: 1.0e30}");
        tree.put("a", Double.NaN).put("b", Double.POSITIVE_INFINITY).put("d", new java.math.BigDecimal("1e1000000"));
        String before = tree.toString();
        // 1e1000000 made exact would be a million digits: it must be passed over at once.
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> WholeNumbers.makeWhole(tree));
        assertEquals(before, tree.toString());
    }
}
