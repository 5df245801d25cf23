package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.polling.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver's caches: which ConfigMaps of Istio's control plane are read and what RBAC may refuse; when Services
 * are cached.
 */
@EnableKubernetesMockClient(crud = true)
class MeshPolicyCacheTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    KubernetesClient client;
    KubernetesMockServer server;

    private final MeshPolicyCache cache = new MeshPolicyCache();

    @AfterEach
    void stop() {
        cache.stop();
    }

    private static ConfigMap configMap(String namespace, String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withData(Map.of("values", value)).build();
    }

    @Test
    void onlyIstiosOwnConfigMapsInItsNamespaceAreReadAndOnlyTheyCountAsChanges() throws Exception {
        client.configMaps().resource(configMap("istio-system", "istio-sidecar-injector", "{}")).create();
        client.configMaps().resource(configMap("istio-system", "istio-sidecar-injector-canary", "{}")).create();
        client.configMaps().resource(configMap("istio-system", "istio-leader", "{}")).create();
        client.configMaps().resource(configMap("default", "istio-sidecar-injector", "{}")).create();
        cache.start(client, IstioApis.none(), "istio-system");
        Eventually.until("the caches to sync and watch", PATIENCE, () -> cache.synced() && cache.watching());
        // The store is full before the handlers have seen its adds: they are handed over on another thread.
        Eventually.until("the two adds counted", PATIENCE, () -> cache.generation() == 2);
        assertEquals(List.of("istio-system/istio-sidecar-injector", "istio-system/istio-sidecar-injector-canary"),
                cache.istioConfigMaps().stream().map(c -> c.getMetadata().getNamespace() + "/"
                        + c.getMetadata().getName()).sorted().toList());

        // Older Istio renews leader-election ConfigMaps every few seconds: that must not rebuild the snapshot.
        long before = cache.generation();
        client.configMaps().inNamespace("istio-system").withName("istio-leader")
                .edit(c -> new ConfigMapBuilder(c).addToData("holder", "pilot-2").build());
        client.configMaps().inNamespace("istio-system").withName("istio-sidecar-injector")
                .edit(c -> new ConfigMapBuilder(c).addToData("values", "{\"x\":1}").build());
        Eventually.until("the injector's change", PATIENCE, () -> cache.generation() > before);
        assertEquals(before + 1, cache.generation(), "the leader ConfigMap counted as a change");
        assertTrue(cache.configMapsUnreadable().isEmpty());
    }

    @Test
    void forbiddenConfigMapsAreSaidNotWaitedFor() throws Exception {
        // Installed without k8s/components/istio: no Role in Istio's namespace.
        // The informer lists in pages (ListPages): the first page's request is the one refused.
        server.expect().get().withPath("/api/v1/namespaces/istio-system/configmaps?limit=" + ListPages.SIZE)
                .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                        + "\"code\":403}").always();
        cache.start(client, IstioApis.none(), "istio-system");
        Eventually.until("the forbidden list to be known", PATIENCE, () -> cache.configMapsUnreadable().isPresent());
        Eventually.until("readiness not to wait for it", PATIENCE, cache::synced);
        assertEquals("cannot list ConfigMaps in istio-system: forbidden (grant it with k8s/components/istio, then"
                + " restart)", cache.configMapsUnreadable().get());
        assertEquals(List.of(), cache.istioConfigMaps());
    }

    @Test
    void cachedObjectsKeepNoManagedFields() throws Exception {
        ConfigMap injector = configMap("istio-system", "istio-sidecar-injector", "{}");
        injector.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder()
                .withManager("pilot-discovery").withOperation("Update").build()));
        client.configMaps().resource(injector).create();
        assertEquals(1, client.configMaps().inNamespace("istio-system").withName("istio-sidecar-injector").get()
                .getMetadata().getManagedFields().size(), "the API server (the mock) keeps them");

        cache.start(client, IstioApis.none(), "istio-system");
        Eventually.until("the caches to sync", PATIENCE, cache::synced);

        ConfigMap cached = cache.istioConfigMaps().get(0);
        assertEquals(Map.of("values", "{}"), cached.getData());
        assertTrue(cached.getMetadata().getManagedFields() == null
                || cached.getMetadata().getManagedFields().isEmpty(), "cached: " + cached.getMetadata());
    }

    @Test
    void servicesOfOneNamespaceComeFromTheIndexAndOnlyOnceWatched() throws Exception {
        client.services().resource(service("shop", "cart")).create();
        client.services().resource(service("shop", "orders")).create();
        client.services().resource(service("billing", "cart")).create();
        IstioApis current = new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false);
        cache.start(client, current, "istio-system");
        Eventually.until("the caches to sync and watch", PATIENCE, () -> cache.synced() && cache.watching());
        assertEquals(List.of(), cache.servicesIn("shop"), "no Service informer yet on this mesh");

        Eventually.until("the port exceptions' Services", PATIENCE, cache::watchServices);
        assertEquals(List.of("cart", "orders"), names(cache.servicesIn("shop")));
        assertEquals(List.of("cart"), names(cache.servicesIn("billing")));
        assertEquals(List.of(), cache.servicesIn("elsewhere"));

        client.services().inNamespace("shop").withName("orders").delete();
        Eventually.until("the deleted Service out of its namespace's index", PATIENCE,
                () -> cache.servicesIn("shop").size() == 1);
        assertEquals(List.of("cart"), names(cache.servicesIn("shop")));
        cache.stop();
    }

    private static List<String> names(List<Service> services) {
        return services.stream().map(s -> s.getMetadata().getName()).sorted().toList();
    }

    @Test
    void servicesAreCachedOnlyWhereAV1alpha1PolicyCanNameOne() throws Exception {
        client.services().resource(service("shop", "cart")).create();
        IstioApis current = new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false);
        cache.start(client, current, "istio-system");
        Eventually.until("the caches to sync and watch", PATIENCE, () -> cache.synced() && cache.watching());
        assertEquals(List.of(), cache.services());
        assertEquals(2, cache.informers(), "PeerAuthentication and ConfigMap, no Service");

        // A Service's change must not rebuild the snapshot of a mesh that never reads Services.
        long before = cache.generation();
        client.services().resource(service("shop", "orders")).create();
        client.configMaps().resource(configMap("istio-system", "istio-sidecar-injector", "{}")).create();
        Eventually.until("the ConfigMap's change", PATIENCE, () -> cache.generation() > before);
        assertEquals(before + 1, cache.generation(), "the Service counted as a change");

        // The operator's process watches them all the same, for the port exceptions: still no change of what the
        // resolver reads, so no rebuild of its snapshot at the next look for every change to a Service.
        Eventually.until("the port exceptions' Services", PATIENCE, cache::watchServices);
        assertEquals(2, cache.services().size());
        assertEquals(List.of(), cache.resolverServices(), "not the resolver's on this mesh");
        long watched = cache.generation();
        client.services().resource(service("shop", "payments")).create();
        Eventually.until("the new Service in the cache", PATIENCE, () -> cache.services().size() == 3);
        // A change that does count, after the Service's: once it is seen, the Service's would have been too.
        client.configMaps().resource(configMap("istio-system", "istio", "{}")).create();
        Eventually.until("the second ConfigMap's change", PATIENCE, () -> cache.istioConfigMaps().size() == 2
                && cache.generation() > watched);
        assertEquals(watched + 1, cache.generation(), "the Service the port exceptions watch counted as a change");
        cache.stop();

        MeshPolicyCache legacy = new MeshPolicyCache();
        try {
            legacy.start(client, new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), true, false),
                    "istio-system");
            Eventually.until("the caches to hold the three Services", PATIENCE,
                    () -> legacy.synced() && legacy.services().size() == 3);
            assertEquals(3, legacy.resolverServices().size(), "the resolver's, where a Policy can name them");
            assertEquals(4, legacy.informers(), "PeerAuthentication, Policy, Service and ConfigMap");
        } finally {
            legacy.stop();
        }
    }

    private static Service service(String namespace, String name) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withSelector(Map.of("app", name)).addNewPort().withPort(80).endPort().endSpec()
                .build();
    }
}
