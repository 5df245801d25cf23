package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.polling.Eventually;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The namespace cache's LimitRanges: a namespace's view carries what they ask of a container, and follows them; a
 * ClusterRole that does not grant them (an older release's) is said once and not waited for, so the webhook still
 * becomes ready.
 */
@EnableKubernetesMockClient(crud = true)
class NamespaceCacheTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    KubernetesClient client;
    KubernetesMockServer server;

    private final NamespaceCache cache = new NamespaceCache(
            ConfigMappings.read(ProbeRewriterConfig.class, Map.of()), null);

    @AfterEach
    void stop() {
        cache.stop(null);
    }

    @Test
    void aNamespacesViewCarriesWhatItsLimitRangesAsk() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("tenant").endMetadata()
                .build()).create();
        client.limitRanges().inNamespace("tenant").resource(new LimitRangeBuilder().withNewMetadata()
                .withName("limits").endMetadata().withNewSpec().addNewLimit().withType("Container")
                .addToMin("cpu", new Quantity("50m")).endLimit().endSpec().build()).create();
        cache.start(client);
        // Watching too: a deletion between the list and the watch would not reach the mock's watchers.
        Eventually.until("the caches to sync and watch", PATIENCE, () -> cache.synced() && cache.watching());
        Eventually.until("the LimitRange in the view", PATIENCE,
                () -> !cache.view("tenant").context().containerLimits().none());
        assertEquals(new BigDecimal("0.050"), cache.view("tenant").context().containerLimits().min().get("cpu"));
        assertEquals(ContainerLimits.NONE, cache.view("other").context().containerLimits());

        client.limitRanges().inNamespace("tenant").withName("limits").delete();
        Eventually.until("the deletion seen", PATIENCE,
                () -> cache.view("tenant").context().containerLimits().none());
        assertFalse(cache.limitRangesForbidden());
    }

    @Test
    void forbiddenLimitRangesAreSaidNotWaitedFor() throws Exception {
        // The informer lists in pages (ListPages): the first page's request is the one refused.
        server.expect().get().withPath("/api/v1/limitranges?limit=" + ListPages.SIZE)
                .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"reason\":\"Forbidden\",\"code\":403}").always();
        cache.start(client);
        Eventually.until("the forbidden list to be known", PATIENCE, cache::limitRangesForbidden);
        Eventually.until("readiness not to wait for it", PATIENCE, cache::synced);
        assertTrue(cache.view("tenant").context().containerLimits().none());
    }
}
