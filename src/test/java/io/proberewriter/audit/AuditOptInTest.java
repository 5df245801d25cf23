package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.engine.Annotations;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.polling.Eventually;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A namespace that opts in after its pods started: they are audited at once, not at their next re-check (an hour
 * here), because a namespace change reconciles its pods.
 */
@QuarkusTest
@TestProfile(AuditOptInTest.HourlyRecheck.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AuditOptInTest {

    public static class HourlyRecheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "assume-all",
                    "probe-rewriter.operator.certificates.enabled", "false",
                    "probe-rewriter.operator.port-exceptions.enabled", "false",
                    "probe-rewriter.operator.audit.recheck-interval", "1h");
        }
    }

    @Inject
    KubernetesClient kubernetes;
    @Inject
    OperatorLauncher launcher;
    @Inject
    NamespaceCache namespaces;

    @Test
    void podsOfANamespaceThatOptsInAreAuditedAtOnce() throws Exception {
        kubernetes.resource(AuditFixtures.namespace("opted-in-early", true, false)).create();
        kubernetes.resource(AuditFixtures.namespace("opts-in-late", false, false)).create();
        Pod early = create(AuditFixtures.pod("opted-in-early", "httpbin", Map.of()));
        Pod late = create(AuditFixtures.pod("opts-in-late", "httpbin", Map.of()));
        launcher.start();

        // The audit's first pass over the running pods has happened: the opted-in one is reported...
        waitFor(() -> !warnings(early).isEmpty(), "the Event on the pod of the opted-in namespace");
        assertTrue(warnings(late).isEmpty(), "nothing on a pod of a namespace that has not opted in");

        // ...and the other namespace opts in: its pod is audited now, an hour before its next re-check.
        kubernetes.namespaces().withName("opts-in-late").edit(n -> {
            n.getMetadata().getLabels().put(Annotations.ENABLED_LABEL, "true");
            return n;
        });
        waitFor(() -> !warnings(late).isEmpty(), "the Event on the pod once its namespace opted in");
    }

    /**
     * A namespace change finds that namespace's pods through the pod cache's namespace index, never by going through
     * every pod cached: the operator subscribes when its pod cache is already full, and is then told of every
     * namespace at once (2,000 namespaces, each a pass over 30,000 pods, at every start).
     */
    @Test
    void aNamespaceChangeLooksUpOnlyThatNamespacesPods() throws Exception {
        Map<String, List<Pod>> byNamespace = new ConcurrentHashMap<>();
        AtomicInteger scans = new AtomicInteger();
        Pod mine = AuditFixtures.pod("indexed", "httpbin", Map.of());
        byNamespace.put("indexed", List.of(mine));
        byNamespace.put("elsewhere", List.of(AuditFixtures.pod("elsewhere", "httpbin", Map.of())));
        IndexerResourceCache<Pod> pods = new IndexerResourceCache<>() {
            @Override
            public List<Pod> byIndex(String index, String key) {
                assertEquals(Cache.NAMESPACE_INDEX, index);
                return byNamespace.getOrDefault(key, List.of());
            }

            @Override
            public Stream<Pod> list(String namespace, Predicate<Pod> predicate) {
                scans.incrementAndGet();
                return byNamespace.getOrDefault(namespace, List.of()).stream().filter(predicate);
            }

            @Override
            public Stream<Pod> list(Predicate<Pod> predicate) {
                scans.incrementAndGet();
                return byNamespace.values().stream().flatMap(List::stream).filter(predicate);
            }

            @Override
            public Optional<Pod> get(ResourceID id) {
                return Optional.empty();
            }

            @Override
            public Stream<ResourceID> keys() {
                return Stream.empty();
            }

            @Override
            public void addIndexers(Map<String, Function<Pod, List<String>>> indexers) {
            }
        };
        Set<ResourceID> reconciled = ConcurrentHashMap.newKeySet();
        NamespaceChanges changes = new NamespaceChanges(namespaces, pods, name -> { });
        changes.setEventHandler(event -> reconciled.add(event.getRelatedCustomResourceID()));
        changes.start();
        try {
            kubernetes.resource(AuditFixtures.namespace("indexed", true, false)).create();
            waitFor(() -> reconciled.contains(ResourceID.fromResource(mine)), "the namespace's pod reconciled");
            assertEquals(0, scans.get(), "no pass over every pod cached");
            assertEquals(Set.of(ResourceID.fromResource(mine)), reconciled, "that namespace's pods only");
        } finally {
            changes.stop();
        }
    }

    private Pod create(Pod pod) {
        pod.getMetadata().setUid(null);
        return kubernetes.resource(pod).create();
    }

    private List<Event> warnings(Pod pod) {
        return kubernetes.v1().events().inNamespace(pod.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e -> pod.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .filter(e -> AuditReconciler.INCOMPATIBLE.equals(e.getReason()))
                .toList();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Eventually.until(what, java.time.Duration.ofSeconds(30), condition);
    }
}
