package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer's store that keeps each object without {@code metadata.managedFields}, which nothing here reads: the
 * server-side-apply bookkeeping of every field manager, often the largest part of an object once it is parsed into
 * maps. A Deployment-made pod of 19 KB holds 74 KiB of heap in fabric8's model, 29 KiB without it
 * (docs/operations.md#resource-sizing). The same transform as controller-runtime's {@code TransformStripManagedFields}
 * and kube-controller-manager's informers; safe because nothing is written back from these caches with its managed
 * fields (and an update without them leaves the server's own untouched).
 *
 * <p>Keys are fabric8's default ({@code namespace/name}), so lookups by key work as with the default store. The
 * object is changed in place before it is stored: the informer parsed it from the watch event, and its handlers get
 * the same object, stripped too.
 *
 * @param <T> the kind cached
 */
public class ManagedFieldsDroppingStore<T extends HasMetadata> extends BasicItemStore<T> {

    /** No arguments: the operator SDK makes its stores from the class named in {@code @Informer(itemStore)}. */
    public ManagedFieldsDroppingStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T object) {
        if (object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
        }
        return super.put(key, object);
    }
}
