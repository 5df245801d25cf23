package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.scale.ScalePods;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A List of thousands of pod templates (what {@code kubectl get pods -o yaml} prints for a big namespace): each item is
 * rewritten exactly as it would be alone, in its own place, and the input document is left as it was.
 */
class ListRewriteTest {

    private static final ProbeRewriter ENGINE = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle());

    @Test
    void everyItemOfALongListIsRewrittenAsItWouldBeAlone() throws Exception {
        ObjectNode list = ScalePods.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        for (int i = 0; i < 1_500; i++) {
            ObjectNode pod = ScalePods.withContainers(1 + i % 3, 1 + i % 2);
            ((ObjectNode) pod.get("metadata")).put("name", "pod-" + i);
            if (i % 5 == 0) {
                ScalePods.annotate(pod, "probe-rewriter.io/mode", "off");
            }
            items.add(pod);
        }
        ObjectNode input = list.deepCopy();
        ManifestRewriter rewriter = new ManifestRewriter(ENGINE, NamespaceDirectory.defaultsOnly(Map.of()), "default");

        DocumentResult result = rewriter.rewrite(new SourceDocument("list.yaml", 1, list));

        assertEquals(input, list, "the input document is not touched");
        assertEquals(1_500, result.workloads().size());
        JsonNode outputItems = result.output().get("items");
        for (int i = 0; i < 1_500; i += 7) {
            JsonNode alone = rewriter.rewrite(new SourceDocument("pod.yaml", 1, items.get(i))).output();
            assertEquals(alone, outputItems.get(i), "item " + i);
            assertEquals(i % 5 != 0, outputItems.get(i).at("/spec/containers/0/livenessProbe").has("exec"), "item " + i);
        }
    }
}
