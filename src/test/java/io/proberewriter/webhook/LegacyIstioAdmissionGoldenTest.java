package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.proberewriter.cluster.MtlsResolverReadiness;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.polling.Eventually;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The seeds' own scenario through the webhook: a cluster of Istio 1.4 or older, serving only the v1alpha1 Policy and
 * MeshPolicy, and nothing configured. auto picks istio from those kinds, the cluster's era turns Istio's own probe
 * rewrite off, and the seeds' Sample 1 and 2 are rewritten while the Suggested Resolution is left alone, each with
 * the objects of its case (Service, policies, the mesh config) in the mock API server.
 */
@QuarkusTest
@TestProfile(IstioGoldenCases.DefaultsProfile.class)
@WithKubernetesTestServer(crud = true, setup = IstioCrds.Legacy.class)
@QuarkusTestResource(ServingCertificates.class)
class LegacyIstioAdmissionGoldenTest extends IstioGoldenCases {

    @Override
    IstioResolverProfile profile() {
        return new DefaultsProfile();
    }

    @Inject
    @Readiness
    MtlsResolverReadiness readiness;

    @Override
    boolean runs(GoldenCase c) {
        return c.flag("--mtls") == null && settingsMatch(c) && !c.holdsKind("PeerAuthentication");
    }

    /** Where Istio's probe rewrite default comes from is in the readiness data, and follows the injector's ConfigMap. */
    @Test
    void theSourceOfIstiosProbeRewriteDefaultIsSaidAndFollowsTheCluster() throws Exception {
        Duration patience = Duration.ofSeconds(20);
        Eventually.until("the resolver's caches", patience, () -> resolver.istioSources().isPresent());
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
            Eventually.until("the injector's ConfigMap to decide", patience,
                    () -> resolver.istioSources().orElse("").equals(on));
            assertEquals(on, readiness.call().getData().orElseThrow().get("istio"));
            assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        } finally {
            kubernetes.configMaps().resource(injector).delete();
            Eventually.until("the ConfigMap to be forgotten", patience,
                    () -> resolver.cache().istioConfigMaps().isEmpty());
        }
    }
}
