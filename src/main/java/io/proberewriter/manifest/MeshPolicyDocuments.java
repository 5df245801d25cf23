package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.proberewriter.mtls.MeshPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the Istio resolver needs from the manifests of an offline run: the Services (v1), PeerAuthentications and
 * v1alpha1 Policies/MeshPolicies among the documents, including the items of Lists. A document without
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

    /** Lenient on unknown fields: a Service from a newer Kubernetes must still map its ports. */
    private static final ObjectMapper MODEL = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param settings a builder holding the mesh settings only (root namespace, global switch, probe rewrite);
     *                 called once for the snapshot and once per policy document to tell which documents are ignored
     */
    public static MeshPolicyDocuments read(List<SourceDocument> documents, String defaultNamespace,
                                           Supplier<MeshPolicies.Builder> settings) {
        List<GenericKubernetesResource> policies = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (SourceDocument document : documents) {
            collect(document, document.content(), defaultNamespace, settings, policies, services, warnings);
        }
        MeshPolicies snapshot = settings.get().policies(policies).services(services).build();
        return new MeshPolicyDocuments(snapshot, List.copyOf(warnings));
    }

    private static void collect(SourceDocument document, JsonNode node, String defaultNamespace,
                                Supplier<MeshPolicies.Builder> settings, List<GenericKubernetesResource> policies,
                                List<Service> services, List<String> warnings) {
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (kind.endsWith("List") && node.path("items").isArray()) {
            for (JsonNode item : node.path("items")) {
                collect(document, item, defaultNamespace, settings, policies, services, warnings);
            }
            return;
        }
        boolean service = "v1".equals(apiVersion) && "Service".equals(kind);
        if (!service && !MeshPolicies.isPolicyKind(apiVersion, kind)) {
            return;
        }
        JsonNode located = MeshPolicies.isClusterScoped(apiVersion, kind) ? node : withNamespace(node, defaultNamespace);
        String where = "Warning: " + document.describe() + ": ";
        try {
            if (service) {
                services.add(MODEL.treeToValue(located, Service.class));
                return;
            }
            GenericKubernetesResource policy = MODEL.treeToValue(located, GenericKubernetesResource.class);
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
