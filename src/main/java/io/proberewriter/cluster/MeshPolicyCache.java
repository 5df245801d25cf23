package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.proberewriter.mtls.IstioConfigMaps;
import io.proberewriter.mtls.IstioKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Informer caches of what the istio resolver reads: PeerAuthentications, v1alpha1 Policies and MeshPolicies where
 * served, Services only where v1alpha1 Policies are served (their targets name Services), and the ConfigMaps of
 * Istio's control plane (the injector's values, the mesh config) in Istio's namespace. The admission path reads the
 * stores, never the API server. Every change to what the resolver reads bumps {@link #generation()}, so that a
 * snapshot built from the stores knows when it is stale (a Service's only where the resolver reads Services).
 *
 * <p>The ConfigMaps are read under a Role in Istio's namespace that the install grants only where Istio runs
 * (k8s/components/istio). Without it the list is forbidden: that is not waited for, retried or held against
 * readiness; the resolver then works from its settings and says so ({@link #configMapsUnreadable()}).
 */
public final class MeshPolicyCache {

    private static final Logger LOG = Logger.getLogger(MeshPolicyCache.class);

    private final List<SharedIndexInformer<GenericKubernetesResource>> policyInformers = new CopyOnWriteArrayList<>();
    private volatile SharedIndexInformer<Service> serviceInformer;
    private volatile SharedIndexInformer<ConfigMap> configMapInformer;
    private volatile String configMapsUnreadable;
    private volatile String istioNamespace;
    private volatile boolean resolverReadsServices;
    private KubernetesClient client;
    private boolean stopped;
    private final AtomicLong generation = new AtomicLong();
    private final List<Consumer<GenericKubernetesResource>> policyListeners = new CopyOnWriteArrayList<>();

    /**
     * Starts one informer per kind served, and one on the ConfigMaps of {@code istioNamespace}; returns at once, the
     * first lists arrive in the background.
     */
    synchronized void start(KubernetesClient client, IstioApis apis, String istioNamespace) {
        this.client = client;
        this.istioNamespace = istioNamespace;
        startConfigMaps(client, istioNamespace);
        for (IstioKind kind : apis.watched()) {
            var resources = client.genericKubernetesResources(IstioApis.context(kind));
            SharedIndexInformer<GenericKubernetesResource> informer = kind.namespaced()
                    ? resources.inAnyNamespace().withLimit(ListPages.SIZE).runnableInformer(0)
                    : resources.withLimit(ListPages.SIZE).runnableInformer(0);
            informer.addEventHandler(tellingPolicyListeners());
            policyInformers.add(started(informer, kind.display(), policy -> true));
        }
        resolverReadsServices = apis.needsServices();
        if (resolverReadsServices) {
            watchServices();
        }
    }

    /**
     * Starts the Service informer unless it runs, and says whether it holds its first list. The resolver needs
     * Services only where v1alpha1 Policies are served ({@link IstioApis#needsServices()}): on any later mesh the
     * webhook would cache every Service of the cluster for nothing, 3.3 KiB of heap each, and rebuild its snapshot on
     * every change to one (docs/benchmarks.md). The operator's port exceptions need them on every mesh, to exempt no
     * port a Service sends traffic to, and ask here before they read {@link #services()}. False before
     * {@link #start} and after {@link #stop}.
     */
    public synchronized boolean watchServices() {
        if (serviceInformer == null && client != null && !stopped) {
            // A Service's change is a change of what the resolver reads only where it reads Services: in the
            // operator's process on a later mesh they are the port exceptions' alone, and every change to one of the
            // cluster's Services would otherwise have the next look rebuild the resolver's snapshot for nothing.
            serviceInformer = started(client.services().inAnyNamespace().withLimit(ListPages.SIZE)
                    .runnableInformer(0), "Service v1", service -> resolverReadsServices);
        }
        SharedIndexInformer<Service> services = serviceInformer;
        return services != null && services.hasSynced();
    }

    private <T extends HasMetadata> SharedIndexInformer<T> started(SharedIndexInformer<T> informer, String what,
                                                                   Predicate<T> changesWhatTheResolverReads) {
        informer.addEventHandler(bumpingGeneration(changesWhatTheResolverReads));
        informer.itemStore(new ManagedFieldsDroppingStore<>());
        RetryingInformers.retryingForever(informer, LOG, what);
        informer.start();
        return informer;
    }

    /**
     * Every ConfigMap of Istio's namespace is cached (a name prefix cannot be watched), but only Istio's own bump
     * the generation: older Istio releases renew leader-election ConfigMaps there every few seconds.
     */
    private void startConfigMaps(KubernetesClient client, String namespace) {
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
                .withLimit(ListPages.SIZE).runnableInformer(0)
                .itemStore(new ManagedFieldsDroppingStore<>());
        informer.addEventHandler(bumpingGeneration(cm -> IstioConfigMaps.isRead(cm.getMetadata().getNamespace(),
                cm.getMetadata().getName(), namespace)));
        informer.exceptionHandler((isStarted, failure) -> {
            if (RetryingInformers.forbidden(failure)) {
                configMapsUnreadable = "cannot list ConfigMaps in " + namespace + ": forbidden (grant it with"
                        + " k8s/components/istio, then restart)";
                LOG.warnf("Istio resolver: %s; Istio's probe rewrite default comes from the settings instead",
                        configMapsUnreadable);
                generation.incrementAndGet();
                return false;
            }
            LOG.warnf("ConfigMap (%s) watch failed, retrying: %s", namespace, failure.toString());
            return true;
        });
        configMapInformer = informer;
        informer.start();
    }

    /**
     * Tells {@code listener} of every policy added to, changed in or deleted from the caches, after the cache holds
     * the change; returns what unsubscribes it. Listeners may subscribe before {@link #start}: the informers started
     * then tell them too. A listener runs on the informer's thread and must hand work off, not do it.
     */
    public Runnable onPolicyChange(Consumer<GenericKubernetesResource> listener) {
        policyListeners.add(listener);
        return () -> policyListeners.remove(listener);
    }

    private ResourceEventHandler<GenericKubernetesResource> tellingPolicyListeners() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource policy) {
                policyListeners.forEach(listener -> listener.accept(policy));
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                policyListeners.forEach(listener -> listener.accept(after));
            }

            @Override
            public void onDelete(GenericKubernetesResource policy, boolean deletedFinalStateUnknown) {
                policyListeners.forEach(listener -> listener.accept(policy));
            }
        };
    }

    private <T extends HasMetadata> ResourceEventHandler<T> bumpingGeneration(Predicate<T> relevant) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                if (relevant.test(obj)) {
                    generation.incrementAndGet();
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (relevant.test(oldObj) || relevant.test(newObj)) {
                    generation.incrementAndGet();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (relevant.test(obj)) {
                    generation.incrementAndGet();
                }
            }
        };
    }

    synchronized void stop() {
        stopped = true;
        policyInformers.forEach(SharedIndexInformer::stop);
        SharedIndexInformer<Service> services = serviceInformer;
        if (services != null) {
            services.stop();
        }
        SharedIndexInformer<ConfigMap> configMaps = configMapInformer;
        if (configMaps != null) {
            configMaps.stop();
        }
    }

    /**
     * True once every informer the resolver reads has its first list (true when none was started). The ConfigMaps
     * count as synced once they are known to be unreadable: nothing is coming, and the settings answer instead.
     * Services count only where the resolver reads them: the port exceptions wait for theirs themselves
     * ({@link #watchServices()}), and must not take the operator's readiness down while they do.
     */
    public boolean synced() {
        SharedIndexInformer<Service> services = serviceInformer;
        SharedIndexInformer<ConfigMap> configMaps = configMapInformer;
        return policyInformers.stream().allMatch(SharedIndexInformer::hasSynced)
                && (!resolverReadsServices || (services != null && services.hasSynced()))
                && (configMaps == null || configMaps.hasSynced() || configMapsUnreadable != null);
    }

    /**
     * True once every informer that runs holds an open watch. Tests wait for it before they change what is watched:
     * an API server replays the changes made between a list and its watch (the watch starts at the list's
     * resourceVersion), the mock API server does not.
     */
    boolean watching() {
        SharedIndexInformer<Service> services = serviceInformer;
        SharedIndexInformer<ConfigMap> configMaps = configMapInformer;
        return policyInformers.stream().allMatch(SharedIndexInformer::isWatching)
                && (services == null || services.isWatching())
                && (configMaps == null || configMapsUnreadable != null || configMaps.isWatching());
    }

    /** How many informers run, for the readiness check's data. */
    int informers() {
        return policyInformers.size() + (serviceInformer == null ? 0 : 1)
                + (configMapInformer == null || configMapsUnreadable != null ? 0 : 1);
    }

    /** Why Istio's ConfigMaps cannot be read (RBAC); empty while they can. */
    public Optional<String> configMapsUnreadable() {
        return Optional.ofNullable(configMapsUnreadable);
    }

    /** The cached ConfigMaps of Istio's control plane that the resolver reads. */
    public List<ConfigMap> istioConfigMaps() {
        SharedIndexInformer<ConfigMap> configMaps = configMapInformer;
        String namespace = istioNamespace;
        if (configMaps == null || namespace == null) {
            return List.of();
        }
        return configMaps.getStore().list().stream()
                .filter(cm -> IstioConfigMaps.isRead(cm.getMetadata().getNamespace(), cm.getMetadata().getName(),
                        namespace))
                .toList();
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

    /** Whether Services are watched: where the resolver reads them, or since the port exceptions asked. */
    public boolean watchingServices() {
        return serviceInformer != null;
    }

    /**
     * The Services the resolver reads: every cached one where v1alpha1 Policies are served, none elsewhere (those
     * the port exceptions watch are theirs, and change no generation).
     */
    public List<Service> resolverServices() {
        return resolverReadsServices ? services() : List.of();
    }

    /** Every cached Service; empty while Services are not watched ({@link #watchServices()}). */
    public List<Service> services() {
        SharedIndexInformer<Service> services = serviceInformer;
        return services == null ? List.of() : services.getStore().list();
    }

    /**
     * The cached Services of one namespace, from the informer's namespace index; empty while Services are not watched.
     * A port exception's look reads its workload's namespace alone: copying and filtering every Service of the
     * cluster at each look made a resync of 5,000 workloads among 10,000 Services walk fifty million of them.
     */
    public List<Service> servicesIn(String namespace) {
        SharedIndexInformer<Service> services = serviceInformer;
        return services == null ? List.of() : services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }
}
