package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Informer caches of what the istio resolver reads: PeerAuthentications, v1alpha1 Policies and MeshPolicies where
 * served, and Services where v1alpha1 Policies need them. The admission path reads the stores, never the API
 * server. Every change bumps {@link #generation()}, so that a snapshot built from the stores knows when it is stale.
 */
public final class MeshPolicyCache {

    private static final Logger LOG = Logger.getLogger(MeshPolicyCache.class);

    private final List<SharedIndexInformer<GenericKubernetesResource>> policyInformers = new CopyOnWriteArrayList<>();
    private volatile SharedIndexInformer<Service> serviceInformer;
    private final AtomicLong generation = new AtomicLong();

    /** Starts one informer per kind served; returns at once, the first lists arrive in the background. */
    void start(KubernetesClient client, IstioApis apis) {
        for (ResourceDefinitionContext kind : apis.watched()) {
            var resources = client.genericKubernetesResources(kind);
            SharedIndexInformer<GenericKubernetesResource> informer = kind.isNamespaceScoped()
                    ? resources.inAnyNamespace().runnableInformer(0)
                    : resources.runnableInformer(0);
            policyInformers.add(started(informer, IstioApis.describe(kind)));
        }
        // The Istio resolver maps a Policy's service targets onto pods through Services; they are watched whenever
        // it runs, as the policies are, so the snapshot is complete whatever the cluster holds.
        serviceInformer = started(client.services().inAnyNamespace().runnableInformer(0), "Service v1");
    }

    private <T extends HasMetadata> SharedIndexInformer<T> started(SharedIndexInformer<T> informer, String what) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                generation.incrementAndGet();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                generation.incrementAndGet();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                generation.incrementAndGet();
            }
        });
        RetryingInformers.retryingForever(informer, LOG, what);
        informer.start();
        return informer;
    }

    void stop() {
        policyInformers.forEach(SharedIndexInformer::stop);
        SharedIndexInformer<Service> services = serviceInformer;
        if (services != null) {
            services.stop();
        }
    }

    /** True once every started informer has its first list (true when none was started). */
    public boolean synced() {
        SharedIndexInformer<Service> services = serviceInformer;
        return policyInformers.stream().allMatch(SharedIndexInformer::hasSynced)
                && (services == null || services.hasSynced());
    }

    /** How many informers run, for the readiness check's data. */
    int informers() {
        return policyInformers.size() + (serviceInformer == null ? 0 : 1);
    }

    /** Changes whenever a store changes. */
    public long generation() {
        return generation.get();
    }

    /** Every cached PeerAuthentication, Policy and MeshPolicy, in no particular order. */
    public List<GenericKubernetesResource> policies() {
        List<GenericKubernetesResource> all = new ArrayList<>();
        policyInformers.forEach(i -> all.addAll(i.getStore().list()));
        return all;
    }

    /** Every cached Service; empty when Services are not watched. */
    public List<Service> services() {
        SharedIndexInformer<Service> services = serviceInformer;
        return services == null ? List.of() : services.getStore().list();
    }
}
