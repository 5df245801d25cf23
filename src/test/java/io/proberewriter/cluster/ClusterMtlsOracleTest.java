package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.polling.Eventually;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The istio resolver over the informer caches: its snapshot of the stores follows every relevant change on the next
 * check, and is reused while nothing changed.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterMtlsOracleTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final NamespaceContext MESHED =
            new NamespaceContext("shop", Map.of("istio-injection", "enabled"), Map.of());

    KubernetesClient client;

    private final MeshPolicyCache cache = new MeshPolicyCache();
    private ClusterMtlsOracle oracle;
    private ProbeRewriter engine;

    @BeforeEach
    void start() throws InterruptedException {
        IstioApis apis = new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false);
        cache.start(client, apis, "istio-system");
        Eventually.until("the caches to sync", PATIENCE, cache::synced);
        oracle = new ClusterMtlsOracle(cache, settings(Optional.of(false)), apis);
        engine = new ProbeRewriter(GlobalSettings.defaults(), oracle);
    }

    @AfterEach
    void stop() {
        cache.stop();
    }

    @Test
    void aPolicyCreatedOrDeletedIsSeenOnTheNextCheck() throws InterruptedException {
        assertFalse(rewrite().changed(), "no policy: Istio's default is PERMISSIVE, the kubelet gets through");

        long before = cache.generation();
        peerAuthentications().resource(strict("istio-system", "default")).create();
        Eventually.until("the informer to see the policy", PATIENCE, () -> cache.generation() > before);
        RewriteResult strict = rewrite();
        assertTrue(strict.changed(), strict.decisions().toString());
        assertTrue(strict.decisions().get(0).reason().contains("STRICT by PeerAuthentication istio-system/default"),
                strict.decisions().get(0).reason());

        long created = cache.generation();
        peerAuthentications().inNamespace("istio-system").withName("default").delete();
        Eventually.until("the informer to see the deletion", PATIENCE, () -> cache.generation() > created);
        assertFalse(rewrite().changed(), "the deleted policy still counted");
    }

    @Test
    void theSnapshotIsReusedUntilAStoreChanges() throws InterruptedException {
        MeshPolicies first = oracle.mesh();
        assertSame(first, oracle.mesh(), "rebuilt with nothing changed");
        String sourcesBefore = oracle.sources();

        long before = cache.generation();
        client.configMaps().inNamespace("istio-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("istio-sidecar-injector").endMetadata()
                .withData(Map.of("values", "{\"sidecarInjectorWebhook\":{\"rewriteAppHTTPProbe\":true}}")).build())
                .create();
        Eventually.until("the informer to see the injector's ConfigMap", PATIENCE, () -> cache.generation() > before);
        assertNotSame(first, oracle.mesh(), "a changed store must rebuild the snapshot");
        assertTrue(sourcesBefore.startsWith("Istio's probe rewrite by default off (" ), sourcesBefore);
        assertTrue(sourcesBefore.contains(ClusterMtlsOracle.REWRITES_PROBES_SETTING), sourcesBefore);
        assertTrue(oracle.sources().startsWith("Istio's probe rewrite by default on ("), oracle.sources());
        assertTrue(oracle.sources().contains("istio-system/istio-sidecar-injector"), oracle.sources());
    }

    @Test
    void theSettingIsTheFallbackWhenNoConfigMapSays() {
        ClusterMtlsOracle unset = new ClusterMtlsOracle(cache, settings(Optional.empty()),
                new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false));
        // Unset, and a mesh of today (PeerAuthentication served): Istio's own default, on since Istio 1.5/1.6.
        assertTrue(unset.sources().startsWith("Istio's probe rewrite by default on"), unset.sources());
        // ... and the source named is that default, neither a ConfigMap nor the setting.
        assertTrue(unset.sources().contains("Istio's default since 1.6"), unset.sources());
        assertFalse(unset.sources().contains(ClusterMtlsOracle.REWRITES_PROBES_SETTING), unset.sources());
    }

    private RewriteResult rewrite() {
        return engine.rewrite(pod(), MESHED);
    }

    private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, ?, ?> peerAuthentications() {
        return client.genericKubernetesResources(IstioApis.context(IstioKind.PEER_AUTHENTICATION_V1));
    }

    private static GenericKubernetesResource strict(String namespace, String name) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(IstioKind.PEER_AUTHENTICATION_V1.apiVersion())
                .withKind(IstioKind.PEER_AUTHENTICATION_V1.kind())
                .withNewMetadata().withNamespace(namespace).withName(name)
                .withCreationTimestamp("2024-01-01T00:00:00Z").endMetadata()
                .addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", "STRICT")))
                .build();
    }

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("example/web:1.0")
                .addNewPort().withContainerPort(8000).endPort()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8000).endHttpGet()
                .endLivenessProbe().endContainer().endSpec().build();
    }

    private static ProbeRewriterConfig.Mtls.Istio settings(Optional<Boolean> rewritesProbes) {
        return new ProbeRewriterConfig.Mtls.Istio() {
            @Override
            public String rootNamespace() {
                return "istio-system";
            }

            @Override
            public String namespace() {
                return "istio-system";
            }

            @Override
            public boolean globalMtls() {
                return false;
            }

            @Override
            public Optional<Boolean> rewritesProbes() {
                return rewritesProbes;
            }
        };
    }
}
