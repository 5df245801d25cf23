package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MtlsResolver;
import io.proberewriter.polling.Eventually;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The webhook's istio resolver as the application builds it, without the application: a mock API server serving
 * Istio's CRDs and holding the given objects, the resolver chosen from the configuration and API discovery, the
 * informer caches started and filled, and the resolver over them. For running golden cases through the webhook's
 * decision in process, with the cluster path (discovery, informers, snapshot) as it runs in a replica.
 */
public final class MockClusterResolver implements AutoCloseable {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final MeshPolicyCache cache = new MeshPolicyCache();
    private final MtlsResolverChoice choice;
    private final MtlsOracle oracle;

    /**
     * @param crds    the Istio kinds the cluster serves
     * @param objects what the cluster holds: policies, Services, Istio's ConfigMaps ({@link GoldenCluster#meshObjects})
     */
    public MockClusterResolver(ProbeRewriterConfig config, List<IstioKind> crds,
                               List<HasMetadata> objects) throws InterruptedException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        crds.forEach(kind -> client.apiextensions().v1().customResourceDefinitions().resource(crd(kind)).create());
        List<HasMetadata> created = objects.stream().map(object -> GoldenCluster.create(client, object)).toList();
        choice = MtlsResolverChoice.choose(config.mtls().resolver(), config.namespaces().watch(),
                () -> IstioApis.discover(client));
        if (choice.resolver() != MtlsResolver.ISTIO) {
            throw new IllegalStateException("the mock cluster does not make the resolver istio: " + choice);
        }
        // Services are cached only where a v1alpha1 Policy could name one.
        Set<String> expected = new HashSet<>();
        created.stream().filter(o -> choice.apis().needsServices() || !(o instanceof Service))
                .forEach(o -> expected.add(GoldenCluster.key(o)));
        cache.start(client, choice.apis(), config.mtls().istio().namespace());
        Eventually.until("the resolver's caches to hold " + expected, PATIENCE, () -> {
            if (!cache.synced()) {
                return false;
            }
            Set<String> cached = new HashSet<>();
            cache.policies().forEach(p -> cached.add(GoldenCluster.key(p)));
            cache.services().forEach(s -> cached.add(GoldenCluster.key(s)));
            cache.istioConfigMaps().forEach(m -> cached.add(GoldenCluster.key(m)));
            return cached.equals(expected);
        });
        oracle = new ClusterMtlsOracle(cache, config.mtls().istio(), choice.apis());
    }

    public MtlsOracle oracle() {
        return oracle;
    }

    public MtlsResolverChoice choice() {
        return choice;
    }

    @Override
    public void close() {
        cache.stop();
        client.close();
        server.destroy();
    }

    /** A CRD as the mock serves API discovery from it, which is how the resolver learns what the cluster serves. */
    public static CustomResourceDefinition crd(IstioKind kind) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(kind.plural() + "." + kind.group()).endMetadata()
                .withNewSpec()
                .withGroup(kind.group())
                .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
                .withNewNames().withKind(kind.kind()).withPlural(kind.plural())
                .withSingular(kind.kind().toLowerCase(java.util.Locale.ROOT)).endNames()
                .addNewVersion().withName(kind.version()).withServed(true).withStorage(true).endVersion()
                .endSpec()
                .build();
    }
}
