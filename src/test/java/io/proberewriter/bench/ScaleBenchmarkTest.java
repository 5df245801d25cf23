package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.manifest.ManifestException;
import io.proberewriter.manifest.ManifestRewriter;
import io.proberewriter.manifest.NamespaceDirectory;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.patch.PodPatch;
import io.proberewriter.scale.GrowthTable;
import io.proberewriter.scale.ScalePods;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The engine plus the JSON patch on pods of 10 to 40,000 containers, probes and annotations — sizes a mutating
 * webhook is sent, since the API server validates the pod only afterwards. Prints time, allocation and patch size
 * per pod and the growth per 10×, which must stay near 10 (linear). Run with {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
class ScaleBenchmarkTest {

    static final int[] SIZES = {10, 100, 1_000, 10_000, 40_000};
    private static final ProbeRewriter ENGINE = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle());
    private static final NamespaceContext NAMESPACE = NamespaceContext.unknown("default");

    @Test
    void engineAndPatchGrowLinearlyWithThePod() {
        GrowthTable table = new GrowthTable("engine + JSON patch, per pod (JIT warmed, single thread)");
        for (int n : SIZES) {
            measure(table, "containers, 1 probe each", n, ScalePods.withContainers(n, 1));
        }
        for (int n : SIZES) {
            measure(table, "probes, 3 per container", n, ScalePods.withContainers((n + 2) / 3, 3));
        }
        for (int n : SIZES) {
            measure(table, "annotations naming no container*", n, ScalePods.withAnnotationsNamingNoContainer(n, 100));
        }
        measure(table, "the issue's pod (20,000 c., 6,500 a.)", 20_000, ScalePods.theIssuesPod());
        for (int n : SIZES) {
            measureList(table, n);
        }
        table.print();
        System.out.println("* on a pod of 100 containers; size = annotations");
        System.out.println("** the CLI's rewrite of one v1 List document: engine, patch applied to each item");

        GrowthTable.Row largeContainers = row(table, "containers, 1 probe each", 40_000);
        GrowthTable.Row smallerContainers = row(table, "containers, 1 probe each", 10_000);
        // Allocation is what a shared machine measures reliably: it must grow linearly with the pod.
        double growth = GrowthTable.perTenfold(10_000, 40_000, smallerContainers.bytesPerRun(),
                largeContainers.bytesPerRun());
        assertTrue(growth < 20, "allocation per 10x of containers: " + growth);
    }

    private static void measure(GrowthTable table, String label, int size, ObjectNode json) {
        Pod pod = ScalePods.toPod(json);
        table.measure(label, size, () -> {
            RewriteResult result = ENGINE.rewrite(pod, NAMESPACE);
            return PodPatch.of(result, pod.getMetadata(), "").toTree().toString().length();
        });
    }

    /** The CLI's side: one List document of {@code pods} one-probe pods, as kubectl prints a namespace. */
    private static void measureList(GrowthTable table, int pods) {
        ObjectNode list = ScalePods.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        for (int i = 0; i < pods; i++) {
            items.add(ScalePods.withContainers(1, 1));
        }
        ManifestRewriter rewriter = new ManifestRewriter(ENGINE, NamespaceDirectory.defaultsOnly(Map.of()), "default");
        SourceDocument document = new SourceDocument("list.yaml", 1, list);
        table.measure("manifest: List of pods, 1 probe each**", pods, () -> {
            try {
                return rewriter.rewrite(document).output().toString().length();
            } catch (ManifestException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static GrowthTable.Row row(GrowthTable table, String label, int size) {
        return table.rows().stream().filter(r -> r.label().equals(label) && r.size() == size).findFirst().orElseThrow();
    }
}
