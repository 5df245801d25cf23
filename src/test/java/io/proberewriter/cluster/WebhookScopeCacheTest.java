package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.proberewriter.scope.WebhookScope;
import io.proberewriter.scope.WebhookScope.Reach;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The configuration is read from a cache of that one object: not there yet, the scope is unknown (the callers keep
 * their rule of before); once created or changed, the cache follows it without a restart.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookScopeCacheTest {

    KubernetesClient client;
    KubernetesMockServer server;
    /** Stopped after each test: a running informer would go on retrying against the mock server once it is gone. */
    private final List<WebhookScopeCache> caches = new ArrayList<>();

    @AfterEach
    void stopCaches() {
        caches.forEach(cache -> cache.stop(null));
    }

    private WebhookScopeCache cache() {
        WebhookScopeCache cache = new WebhookScopeCache("probe-rewriter", () -> client);
        caches.add(cache);
        return cache;
    }

    @Test
    void unknownUntilTheConfigurationExistsThenItsSelectors() throws Exception {
        WebhookScopeCache cache = cache();
        client.resource(configuration("someone-else", "team")).create();

        WebhookScope missing = await(cache, scope -> true);
        assertFalse(missing.known(), "another configuration is not ours");
        assertTrue(missing.description().contains("probe-rewriter does not exist"), missing.description());
        assertEquals(Reach.SENT, missing.reach(Map.of(), Map.of("skip", "true")), "the rule of before");

        client.resource(configuration("probe-rewriter", "skip")).create();
        WebhookScope known = await(cache, WebhookScope::known);
        assertEquals(Reach.NOT_SENT, known.reach(Map.of(), Map.of("skip", "true")));
        assertEquals(Reach.SENT, known.reach(Map.of(), Map.of()));
    }

    @Test
    void createdBeforeTheCacheStartsAndStaysKnown() throws Exception {
        client.resource(configuration("probe-rewriter", "skip")).create();
        WebhookScopeCache cache = cache();
        await(cache, WebhookScope::known);
        for (int i = 0; i < 40; i++) {
            Thread.sleep(50);
            assertTrue(cache.current().orElseThrow().known(), "still known after " + (i * 50) + "ms");
        }
    }

    /**
     * An install whose ClusterRole predates the rule (no list of the configuration): the scope is unknown at once, with
     * the reason and the remedy, and the callers keep their rule of before; the refused list is not retried.
     */
    @Test
    void aForbiddenListIsUnknownWithTheRemedyNotWaitedFor() throws Exception {
        server.expect().get().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
                        + "?fieldSelector=metadata.name%3Dprobe-rewriter&resourceVersion=0")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403).build())
                .always();
        client.resource(configuration("probe-rewriter", "skip")).create();
        WebhookScopeCache cache = cache();

        WebhookScope scope = await(cache, scopeNow -> true);

        assertFalse(scope.known(), scope.description());
        assertTrue(scope.description().contains("listing MutatingWebhookConfiguration probe-rewriter is forbidden"),
                scope.description());
        assertTrue(scope.description().contains("ClusterRole probe-rewriter-operator"), scope.description());
        assertEquals(Reach.SENT, scope.reach(Map.of(), Map.of("skip", "true")), "the rule of before");
    }

    /** Keeps away pods that carry {@code label} (DoesNotExist). */
    private static MutatingWebhookConfiguration configuration(String name, String label) {
        return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(name).endMetadata()
                .addNewWebhook().withName("probes.probe-rewriter.io").withNewObjectSelector().addNewMatchExpression()
                .withKey(label).withOperator("DoesNotExist").endMatchExpression().endObjectSelector()
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook().build();
    }

    private static WebhookScope await(WebhookScopeCache cache, Predicate<WebhookScope> until) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            Optional<WebhookScope> scope = cache.current();
            if (scope.isPresent() && until.test(scope.get())) {
                return scope.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the cache did not get there within 10s: " + cache.current());
    }
}
