package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.proberewriter.bench.wire.BenchmarkPods;
import io.proberewriter.cluster.ManagedFieldsDroppingStore;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The heap one pod takes in the audit's cache (docs/benchmarks.md#the-informers-caches): the wire benchmark's
 * Deployment-made pod (60 env vars, the managed fields of kube-controller-manager) with a running pod's status, parsed
 * by fabric8 as the informer parses it and put in each store, many copies; the heap used after a full collection
 * before and after, per copy. Run by hand: {@code mvn -B test -Pbenchmark -Dtest=PodCacheMemoryBenchmarkTest}.
 */
@Tag("benchmark")
class PodCacheMemoryBenchmarkTest {

    private static final int COPIES = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization INFORMER = new KubernetesSerialization();

    @Test
    void heapPerPodInEachStore() throws Exception {
        String running = runningPod(true);
        String declared = runningPod(false);
        double asParsed = perPod(running, () -> new BasicItemStore<>(Cache::metaNamespaceKeyFunc));
        double withoutManagedFields = perPod(running, ManagedFieldsDroppingStore::new);
        double audited = perPod(running, AuditedPodStore::new);
        double withoutStatus = perPod(declared, ManagedFieldsDroppingStore::new);
        double withoutStatusAudited = perPod(declared, AuditedPodStore::new);
        System.out.printf("heap per pod, %d copies (%,d bytes of JSON with its status, %,d without):%n", COPIES,
                running.length(), declared.length());
        System.out.printf("  as parsed                     %6.1f KiB%n", asParsed);
        System.out.printf("  without managed fields        %6.1f KiB (%.1f KiB without the status)%n",
                withoutManagedFields, withoutStatus);
        System.out.printf("  the audit's (AuditedPodStore) %6.1f KiB (%.1f KiB without the status)%n", audited,
                withoutStatusAudited);
        assertTrue(audited < withoutManagedFields / 2, "the env vars were most of what was left");
    }

    /** The heap each of {@link #COPIES} copies of the pod holds once in a store. */
    private static double perPod(String pod, Supplier<ItemStore<Pod>> stores) throws InterruptedException {
        long before = usedAfterCollection();
        ItemStore<Pod> store = stores.get();
        for (int i = 0; i < COPIES; i++) {
            Pod parsed = INFORMER.unmarshal(pod.replace("x2x9k", String.format("%05d", i)), Pod.class);
            store.put(store.getKey(parsed), parsed);
        }
        long after = usedAfterCollection();
        if (store.keySet().count() != COPIES) {
            throw new IllegalStateException("copies lost");
        }
        return (after - before) / 1024.0 / COPIES;
    }

    private static long usedAfterCollection() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private static String runningPod(boolean withStatus) throws Exception {
        ObjectNode json = BenchmarkPods.typicalPod();
        ((ObjectNode) json.get("metadata")).put("name", "checkout-7d9f8b6c5d-x2x9k")
                .put("uid", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f").put("resourceVersion", "48213");
        if (withStatus) {
            json.set("status", JSON.valueToTree(AuditedPodStoreTest.runningStatus("app")));
        }
        return new String(JSON.writeValueAsBytes(json), StandardCharsets.UTF_8);
    }
}
