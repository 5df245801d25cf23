package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.proberewriter.json.Mappers;
import io.proberewriter.mtls.IstioConfigMaps;
import io.proberewriter.mtls.MeshPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the Istio resolver needs from the manifests of an offline run: the Services (v1), PeerAuthentications,
 * v1alpha1 Policies/MeshPolicies and Istio's control-plane ConfigMaps ({@link IstioConfigMaps}: the injector's values,
 * the mesh config) among the documents, including the items of Lists. A document without
 * {@code metadata.namespace} belongs to the {@code -n} namespace, as kubectl would apply it there; without that the
 * resolver would skip it, since it only reads namespaced objects.
 *
 * <p>Pure: reads the documents it is given, never the cluster. Documents the resolver cannot use are not errors
 * (the manifests are still rewritten as far as possible); each one becomes a warning naming the document.
 *
 * @param policies the snapshot, with the mesh settings of the given builder
 * @param warnings one line per ignored document: where it is and why
 */
public record MeshPolicyDocuments(MeshPolicies policies, List<String> warnings) {

    /**
     * @param settings a builder holding the mesh settings only (root namespace, global switch, probe rewrite);
     *                 called once for the snapshot and once per policy document to tell which documents are ignored
     */
    public static MeshPolicyDocuments read(List<SourceDocument> documents, String defaultNamespace,
                                           Supplier<MeshPolicies.Builder> settings) {
        Found found = new Found();
        for (SourceDocument document : documents) {
            collect(document, document.content(), defaultNamespace, settings, found);
        }
        MeshPolicies snapshot = settings.get().policies(found.policies).services(found.services)
                .configMaps(found.configMaps).build();
        return new MeshPolicyDocuments(snapshot, List.copyOf(found.warnings));
    }

    /**
     * Whether the document is Istio's mesh config ({@code ConfigMap istio} in Istio's namespace), which may hold
     * Istio 0.8's global mTLS switch.
     */
    public static boolean isIstioMeshConfig(SourceDocument document, String istioNamespace) {
        JsonNode node = document.content();
        return isConfigMap(node) && IstioConfigMaps.MESH.equals(node.path("metadata").path("name").asText(""))
                && istioNamespace.equals(node.path("metadata").path("namespace").asText(""));
    }

    private static boolean isConfigMap(JsonNode node) {
        return "v1".equals(node.path("apiVersion").asText("")) && "ConfigMap".equals(node.path("kind").asText(""));
    }

    private static final class Found {
        final List<GenericKubernetesResource> policies = new ArrayList<>();
        final List<Service> services = new ArrayList<>();
        final List<ConfigMap> configMaps = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
    }

    private static void collect(SourceDocument document, JsonNode node, String defaultNamespace,
                                Supplier<MeshPolicies.Builder> settings, Found found) {
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (kind.endsWith("List") && node.path("items").isArray()) {
            for (JsonNode item : node.path("items")) {
                // An item of a typed list (PeerAuthenticationList, ServiceList) may say neither apiVersion nor kind.
                collect(document, ListItems.typed(node, item), defaultNamespace, settings, found);
            }
            return;
        }
        boolean service = "v1".equals(apiVersion) && "Service".equals(kind);
        boolean configMap = isConfigMap(node);
        if (!service && !configMap && !MeshPolicies.isPolicyKind(apiVersion, kind)) {
            return;
        }
        JsonNode located = MeshPolicies.isClusterScoped(apiVersion, kind) ? node : withNamespace(node, defaultNamespace);
        String where = "Warning: " + document.describe() + ": ";
        List<GenericKubernetesResource> policies = found.policies;
        List<String> warnings = found.warnings;
        try {
            if (service) {
                found.services.add(Mappers.LENIENT_MODEL.treeToValue(located, Service.class));
                return;
            }
            if (configMap) {
                ConfigMap read = Mappers.LENIENT_MODEL.treeToValue(located, ConfigMap.class);
                // Other ConfigMaps are none of the resolver's business; Istio's are read, and a value it cannot
                // read is said, naming the document.
                settings.get().configMaps(List.of(read)).build().ignored()
                        .forEach(reason -> warnings.add(where + "ignored by the Istio resolver: " + reason));
                found.configMaps.add(read);
                return;
            }
            GenericKubernetesResource policy = Mappers.LENIENT_MODEL.treeToValue(located, GenericKubernetesResource.class);
            // The snapshot's ignored() lines do not say which document they came from; one policy at a time does.
            settings.get().policies(List.of(policy)).build().ignored()
                    .forEach(reason -> warnings.add(where + "ignored by the Istio resolver: " + reason));
            policies.add(policy);
        } catch (Exception e) {
            warnings.add(where + "ignored by the Istio resolver: not a readable " + kind + " ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static JsonNode withNamespace(JsonNode node, String defaultNamespace) {
        JsonNode meta = node.path("metadata");
        if (!meta.isObject() || meta.path("namespace").asText("").isEmpty()) {
            ObjectNode copy = node.deepCopy();
            if (meta.isObject() || meta.isMissingNode()) {
                copy.withObject("/metadata").put("namespace", defaultNamespace);
            }
            return copy;
        }
        return node;
    }
}
