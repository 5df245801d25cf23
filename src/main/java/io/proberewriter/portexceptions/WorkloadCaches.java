package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The three reconcilers' caches of their primaries (Deployments, StatefulSets, DaemonSets), read together to find the
 * workloads of a namespace whose template labels a policy's selector would also match. They are informers the
 * operator runs anyway: reading a namespace from their namespace index costs no request, where three LISTs per look
 * at a workload, every resync, made the API server's work grow with the workloads of a namespace squared.
 */
final class WorkloadCaches {

    /** The three kinds whose reconcilers register here, each with its cache. */
    static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet");

    private record Source<P extends HasMetadata>(IndexerResourceCache<P> cache, Function<P, PodTemplateSpec> template) {
        List<Workload> inNamespace(String namespace) {
            List<Workload> workloads = new ArrayList<>();
            cache.byIndex(Cache.NAMESPACE_INDEX, namespace)
                    .forEach(w -> workloads.add(Workload.of(w, template.apply(w))));
            return workloads;
        }

        /** Whether the informer holds its first list; a cache that cannot say is taken at its word. */
        boolean synced() {
            return !(cache instanceof InformerWrappingEventSourceHealthIndicator<?> health)
                    || health.informerHealthIndicators().values().stream().allMatch(InformerHealthIndicator::hasSynced);
        }
    }

    private final Map<String, Source<?>> sources = new ConcurrentHashMap<>();

    /** A reconciler's primary cache, from its {@code prepareEventSources}. */
    <P extends HasMetadata> void add(String kind, IndexerResourceCache<P> cache, Function<P, PodTemplateSpec> template) {
        sources.put(kind, new Source<>(cache, template));
    }

    /**
     * The namespace's Deployments, StatefulSets and DaemonSets; empty while one of the three caches is not registered
     * or has not had its first list, when a workload missing from it would go unseen.
     */
    Optional<List<Workload>> inNamespace(String namespace) {
        List<Workload> all = new ArrayList<>();
        for (String kind : KINDS) {
            Source<?> source = sources.get(kind);
            if (source == null || !source.synced()) {
                return Optional.empty();
            }
            all.addAll(source.inNamespace(namespace));
        }
        return Optional.of(all);
    }
}
