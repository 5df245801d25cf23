package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.proberewriter.cluster.MtlsResolverReadiness;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The seeds' own scenario through the webhook over HTTPS, the application as it runs with nothing configured: a
 * cluster of Istio 1.4 or older, serving only the v1alpha1 Policy and MeshPolicy. auto picks istio from those kinds,
 * the cluster's era turns Istio's own probe rewrite off, and the seeds' Sample 1 and 2 are rewritten while the
 * Suggested Resolution is left alone, each with the objects of its case (Service, policies, the mesh config) in the
 * mock API server. Every Istio case also runs through the decision in process, on a mock cluster of its own
 * ({@link GoldenCasesThroughTheDecisionTest}); this test keeps the application's wiring of the resolver honest.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = IstioCrds.Legacy.class)
@QuarkusTestResource(ServingCertificates.class)
class LegacyIstioAdmissionGoldenTest extends GoldenThroughWebhook {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Inject
    WebhookMtlsResolver resolver;

    @Inject
    @Readiness
    MtlsResolverReadiness readiness;

    /** What the previous case created, deleted before the next one so that cases do not see each other's policies. */
    private final List<HasMetadata> created = new ArrayList<>();

    /** Cases the CLI runs with istio and no flag at all, on a cluster without PeerAuthentication. */
    private static boolean runs(GoldenCase c) {
        return "istio".equals(c.resolver()) && c.flags().isEmpty() && !c.holdsKind("PeerAuthentication");
    }

    @TestFactory
    Stream<DynamicTest> legacyIstioGoldenCasesOverHttps() throws Exception {
        WebhookClient client = client();
        return GoldenCase.all().filter(LegacyIstioAdmissionGoldenTest::runs)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Eventually.until("the resolver's caches to sync", PATIENCE, resolver::ready);
                    List<SourceDocument> inputs = c.inputs();
                    created.forEach(object -> GoldenCluster.delete(kubernetes, object));
                    created.clear();
                    Eventually.until("the caches to forget the previous case", PATIENCE, () -> cached().isEmpty());
                    AdmissionGoldenTest.createNamespaces(kubernetes, namespaces,
                            GoldenCluster.namespaces(c, inputs, true));
                    Set<String> expected = new HashSet<>();
                    for (HasMetadata object : GoldenCluster.meshObjects(inputs)) {
                        HasMetadata stored = GoldenCluster.create(kubernetes, object);
                        created.add(stored);
                        expected.add(GoldenCluster.key(stored));
                    }
                    Eventually.until("the caches to hold " + expected, PATIENCE, () -> cached().equals(expected));
                    AdmissionGoldenTest.assertThroughWebhook(client, c, inputs);
                }));
    }

    private Set<String> cached() {
        Set<String> keys = new HashSet<>();
        resolver.cache().policies().forEach(p -> keys.add(GoldenCluster.key(p)));
        resolver.cache().services().forEach(s -> keys.add(GoldenCluster.key(s)));
        resolver.cache().istioConfigMaps().forEach(m -> keys.add(GoldenCluster.key(m)));
        return keys;
    }

    /** Where Istio's probe rewrite default comes from is in the readiness data, and follows the injector's ConfigMap. */
    @Test
    void theSourceOfIstiosProbeRewriteDefaultIsSaidAndFollowsTheCluster() throws Exception {
        Eventually.until("the resolver's caches", PATIENCE, () -> resolver.istioSources().isPresent());
        assertEquals("Istio's probe rewrite by default off (a mesh from before Istio rewrote probes: the cluster serves"
                + " the v1alpha1 authentication policies and not PeerAuthentication (Istio 1.4 or older); no ConfigMap"
                + " istio-system/istio-sidecar-injector was read)", resolver.istioSources().get());

        ConfigMap injector = kubernetes.configMaps().resource(new ConfigMapBuilder().withNewMetadata()
                .withName("istio-sidecar-injector").withNamespace("istio-system").endMetadata()
                .withData(Map.of("values", "{\"sidecarInjectorWebhook\":{\"rewriteAppHTTPProbe\":true}}")).build())
                .create();
        try {
            String on = "Istio's probe rewrite by default on (sidecarInjectorWebhook.rewriteAppHTTPProbe: true in"
                    + " ConfigMap istio-system/istio-sidecar-injector)";
            Eventually.until("the injector's ConfigMap to decide", PATIENCE,
                    () -> resolver.istioSources().orElse("").equals(on));
            assertEquals(on, readiness.call().getData().orElseThrow().get("istio"));
            assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        } finally {
            kubernetes.configMaps().resource(injector).delete();
            Eventually.until("the ConfigMap to be forgotten", PATIENCE,
                    () -> resolver.cache().istioConfigMaps().isEmpty());
        }
    }
}
