package io.proberewriter.webhook;


import io.proberewriter.mtls.IstioKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.proberewriter.cluster.IstioApis;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.IstioConfigMaps;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden cases the CLI runs with the istio resolver, through the webhook whose settings match the case's flags:
 * each case's PeerAuthentications, Policies, MeshPolicies, Services and Istio ConfigMaps are created in the mock API
 * server, and the review is sent once the informer caches hold exactly them. The mesh settings are startup
 * configuration, so each combination the cases use is its own app, a subclass with its own annotations (Quarkus
 * reads those of the superclass too): {@link IstioAdmissionGoldenTest} ({@code --mtls istio
 * --istio-rewrites-probes false}), {@link IstioGlobalMtlsAdmissionGoldenTest} ({@code --istio-global-mtls}),
 * {@link IstioDefaultsAdmissionGoldenTest} and {@link LegacyIstioAdmissionGoldenTest} (no flags: auto, on a current
 * and on an Istio 1.4-or-older cluster).
 */
abstract class IstioGoldenCases extends GoldenThroughWebhook {

    /** The istio resolver with the mesh settings of most flagged cases: global mTLS off, Istio not rewriting probes. */
    public static class IstioResolverProfile implements QuarkusTestProfile {
        String resolver() {
            return "istio";
        }

        boolean globalMtls() {
            return false;
        }

        Optional<Boolean> rewritesProbes() {
            return Optional.of(false);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> settings = new HashMap<>();
            settings.put("probe-rewriter.mtls.resolver", resolver());
            settings.put("probe-rewriter.mtls.istio.global-mtls", String.valueOf(globalMtls()));
            rewritesProbes().ifPresent(r -> settings.put("probe-rewriter.mtls.istio.rewrites-probes", r.toString()));
            return settings;
        }
    }

    /** Istio 0.8's global.mtls.enabled, for the seed case that runs with --istio-global-mtls. */
    public static class GlobalMtlsProfile extends IstioResolverProfile {
        @Override
        boolean globalMtls() {
            return true;
        }

        @Override
        Optional<Boolean> rewritesProbes() {
            return Optional.empty();
        }
    }

    /** Nothing configured: auto, and Istio's probe rewrite decided by the cluster (ConfigMap, era). */
    public static class DefaultsProfile extends IstioResolverProfile {
        @Override
        String resolver() {
            return "auto";
        }

        @Override
        Optional<Boolean> rewritesProbes() {
            return Optional.empty();
        }
    }

    @Inject
    WebhookMtlsResolver resolver;

    /** What the previous case created, deleted before the next one so that cases do not see each other's policies. */
    private final List<HasMetadata> created = new ArrayList<>();

    /** The settings of this class's app ({@code @TestProfile}), to match against the case's CLI flags. */
    abstract IstioResolverProfile profile();

    /** Whether the case's cluster serves PeerAuthentication too (all apps but the Istio 1.4-or-older one). */
    boolean runs(GoldenCase c) {
        return c.flag("--mtls") != null && settingsMatch(c);
    }

    final boolean settingsMatch(GoldenCase c) {
        return "istio".equals(c.resolver())
                && c.flags().contains("--istio-global-mtls") == profile().globalMtls()
                && c.istioRewritesProbes().equals(profile().rewritesProbes())
                && c.flag("--istio-root-namespace") == null;
    }

    @TestFactory
    Stream<DynamicTest> istioGoldenCasesThroughTheWebhook() throws Exception {
        WebhookClient client = client();
        return GoldenCase.all().filter(this::runs).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            waitFor(resolver::ready, "the resolver's caches to sync");
            ManifestReader reader = new ManifestReader();
            List<SourceDocument> inputs = reader.read(c.input().toString(), Files.readString(c.input()));
            clearPrevious();
            AdmissionGoldenTest.prepareNamespaces(kubernetes, namespaces, c, inputs, true);
            Set<String> expected = createPoliciesAndServices(inputs);
            waitFor(() -> cached().equals(expected), "the caches to hold " + expected);
            AdmissionGoldenTest.assertThroughWebhook(client, c, inputs);
        }));
    }

    private void clearPrevious() throws Exception {
        for (HasMetadata resource : created) {
            if (resource instanceof Service service) {
                kubernetes.services().resource(service).delete();
            } else if (resource instanceof ConfigMap configMap) {
                kubernetes.configMaps().resource(configMap).delete();
            } else {
                kinds(resource).resource((GenericKubernetesResource) resource).delete();
            }
        }
        created.clear();
        waitFor(() -> cached().isEmpty(), "the caches to forget the previous case");
    }

    /**
     * The case's policies, Services and Istio ConfigMaps, as the CLI reads them: a namespaced kind without a
     * namespace is in {@code default}. A v1beta1 PeerAuthentication is created as v1, as the API server converts it
     * for the v1 informer.
     */
    private Set<String> createPoliciesAndServices(List<SourceDocument> inputs) {
        Set<String> keys = new HashSet<>();
        for (SourceDocument doc : inputs) {
            JsonNode node = doc.content();
            String apiVersion = node.path("apiVersion").asText();
            String kind = node.path("kind").asText();
            boolean service = "v1".equals(apiVersion) && "Service".equals(kind);
            boolean configMap = "v1".equals(apiVersion) && "ConfigMap".equals(kind)
                    && IstioConfigMaps.isRead(node.path("metadata").path("namespace").asText(""),
                    node.path("metadata").path("name").asText(""), MeshPolicies.DEFAULT_ISTIO_NAMESPACE);
            if (!service && !configMap && !MeshPolicies.isPolicyKind(apiVersion, kind)) {
                continue;
            }
            ObjectNode copy = node.deepCopy();
            ObjectNode metadata = (ObjectNode) copy.path("metadata");
            if (!MeshPolicies.isClusterScoped(apiVersion, kind) && !metadata.hasNonNull("namespace")) {
                metadata.put("namespace", "default");
            }
            HasMetadata resource;
            if (service) {
                resource = kubernetes.services().resource(Reviews.JSON.convertValue(copy, Service.class)).create();
            } else if (configMap) {
                resource = kubernetes.configMaps().resource(Reviews.JSON.convertValue(copy, ConfigMap.class)).create();
            } else {
                if (kind.equals(IstioKind.PEER_AUTHENTICATION_V1.kind())) {
                    copy.put("apiVersion", IstioKind.PEER_AUTHENTICATION_V1.apiVersion());
                }
                GenericKubernetesResource generic = Reviews.JSON.convertValue(copy, GenericKubernetesResource.class);
                resource = kinds(generic).resource(generic).create();
            }
            created.add(resource);
            keys.add(key(resource));
        }
        return keys;
    }

    private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, ?, ?> kinds(HasMetadata resource) {
        IstioKind kind = switch (resource.getKind()) {
            case "PeerAuthentication" -> IstioKind.PEER_AUTHENTICATION_V1;
            case "Policy" -> IstioKind.POLICY;
            case "MeshPolicy" -> IstioKind.MESH_POLICY;
            default -> throw new IllegalArgumentException(resource.getKind());
        };
        return kubernetes.genericKubernetesResources(IstioApis.context(kind));
    }

    private Set<String> cached() {
        Set<String> keys = new HashSet<>();
        resolver.cache().policies().forEach(p -> keys.add(key(p)));
        resolver.cache().services().forEach(s -> keys.add(key(s)));
        resolver.cache().istioConfigMaps().forEach(m -> keys.add(key(m)));
        return keys;
    }

    private static String key(HasMetadata resource) {
        return resource.getKind() + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Eventually.until(what, java.time.Duration.ofSeconds(20), condition);
    }
}
