package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The informer store that drops managed fields: what it keeps, and that it is keyed as fabric8's own store. */
class ManagedFieldsDroppingStoreTest {

    @Test
    void anObjectIsStoredWithoutItsManagedFieldsAndWithEverythingElse() {
        Pod pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("checkout-1")
                .withLabels(Map.of("app", "checkout")).withAnnotations(Map.of("team", "a"))
                .addNewOwnerReference().withKind("ReplicaSet").withName("checkout-7d9f").endOwnerReference()
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kube-controller-manager")
                        .withOperation("Update").build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").endContainer().endSpec().build();
        ManagedFieldsDroppingStore<Pod> store = new ManagedFieldsDroppingStore<>();

        String key = store.getKey(pod);
        store.put(key, pod);

        assertEquals("shop/checkout-1", key, "fabric8's default key, namespace/name");
        Pod stored = store.get("shop/checkout-1");
        assertSame(pod, stored);
        assertNull(stored.getMetadata().getManagedFields());
        assertEquals(Map.of("app", "checkout"), stored.getMetadata().getLabels());
        assertEquals(Map.of("team", "a"), stored.getMetadata().getAnnotations());
        assertEquals("checkout-7d9f", stored.getMetadata().getOwnerReferences().get(0).getName());
        assertEquals("app", stored.getSpec().getContainers().get(0).getName());
        assertEquals(List.of("shop/checkout-1"), store.keySet().toList());
    }

    @Test
    void anObjectWithoutMetadataIsStoredAsItIs() {
        ManagedFieldsDroppingStore<Pod> store = new ManagedFieldsDroppingStore<>();
        Pod bare = new Pod();
        store.put("bare", bare);
        assertSame(bare, store.get("bare"));
    }
}
