package io.proberewriter.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.proberewriter.cluster.IstioApis;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.manifest.ManifestException;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.IstioConfigMaps;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MeshPolicies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A golden case as a cluster would hold it, for the webhook's runs of the cases: its namespaces (opted in, with what
 * the CLI reads from Namespace documents and flags) and the objects the istio resolver watches (policies, Services,
 * Istio's ConfigMaps).
 */
public final class GoldenCluster {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenCluster() {
    }

    /**
     * The namespaces of the case: opted in, with the labels (istio-injection) and annotations its Namespace documents
     * give and, for the CLI's --mode and --exec-command flags, the namespace annotations they stand for.
     *
     * @param injectUnknown label a namespace without Namespace document istio-injection=enabled: the CLI's Istio
     *                      resolver takes such a namespace to inject the sidecar, and a cluster's namespace is known
     */
    public static List<Namespace> namespaces(GoldenCase c, List<SourceDocument> inputs, boolean injectUnknown)
            throws ManifestException {
        Map<String, String> fromFlags = new LinkedHashMap<>();
        if (c.flag("--mode") != null) {
            fromFlags.put(Annotations.MODE, c.flag("--mode"));
        }
        if (c.flag("--exec-command") != null) {
            fromFlags.put(Annotations.EXEC_COMMAND, c.flag("--exec-command"));
        }
        Map<String, Map<String, String>> wanted = new HashMap<>();
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (SourceDocument doc : inputs) {
            for (PodTemplateSite site : PodTemplates.find(doc)) {
                wanted.put(namespaceOf(site), new LinkedHashMap<>(fromFlags));
            }
        }
        for (SourceDocument doc : inputs) {
            JsonNode node = doc.content();
            if ("Namespace".equals(node.path("kind").asText())) {
                String name = node.path("metadata").path("name").asText();
                Map<String, String> annotations = wanted.computeIfAbsent(name, n -> new LinkedHashMap<>(fromFlags));
                node.path("metadata").path("annotations").fields()
                        .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
                Map<String, String> nsLabels = labels.computeIfAbsent(name, n -> new LinkedHashMap<>());
                node.path("metadata").path("labels").fields()
                        .forEachRemaining(e -> nsLabels.put(e.getKey(), e.getValue().asText()));
            }
        }
        List<Namespace> namespaces = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> ns : wanted.entrySet()) {
            Map<String, String> nsLabels = new LinkedHashMap<>(labels.getOrDefault(ns.getKey(), Map.of()));
            if (injectUnknown && !labels.containsKey(ns.getKey())) {
                nsLabels.put("istio-injection", "enabled");
            }
            nsLabels.put(Annotations.ENABLED_LABEL, "true");
            namespaces.add(new NamespaceBuilder().withNewMetadata().withName(ns.getKey())
                    .withLabels(nsLabels).withAnnotations(ns.getValue()).endMetadata().build());
        }
        return namespaces;
    }

    /** The case's LimitRanges, in their namespace ({@code default} where they name none, as the CLI reads them). */
    public static List<LimitRange> limitRanges(List<SourceDocument> inputs) {
        List<LimitRange> ranges = new ArrayList<>();
        for (SourceDocument doc : inputs) {
            JsonNode node = doc.content();
            if ("v1".equals(node.path("apiVersion").asText()) && "LimitRange".equals(node.path("kind").asText())) {
                LimitRange range = JSON.convertValue(node, LimitRange.class);
                if (range.getMetadata().getNamespace() == null) {
                    range.getMetadata().setNamespace("default");
                }
                ranges.add(range);
            }
        }
        return ranges;
    }

    /** What the LimitRanges of {@link #limitRanges} ask of a container in {@code namespace}. */
    public static ContainerLimits containerLimits(List<LimitRange> ranges, String namespace) {
        return ContainerLimits.of(ranges.stream()
                .filter(r -> namespace.equals(r.getMetadata().getNamespace())).toList());
    }

    /** The namespace the API server would create the site's pod in. */
    public static String namespaceOf(PodTemplateSite site) {
        return site.namespace() == null ? "default" : site.namespace();
    }

    /**
     * The case's policies, Services and Istio ConfigMaps, as the CLI reads them: a namespaced kind without a
     * namespace is in {@code default}. A v1beta1 PeerAuthentication becomes v1, as the API server converts it for
     * the v1 informer.
     */
    public static List<HasMetadata> meshObjects(List<SourceDocument> inputs) {
        List<HasMetadata> objects = new ArrayList<>();
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
            if (service) {
                objects.add(JSON.convertValue(copy, Service.class));
            } else if (configMap) {
                objects.add(JSON.convertValue(copy, ConfigMap.class));
            } else {
                if (kind.equals(IstioKind.PEER_AUTHENTICATION_V1.kind())) {
                    copy.put("apiVersion", IstioKind.PEER_AUTHENTICATION_V1.apiVersion());
                }
                objects.add(JSON.convertValue(copy, GenericKubernetesResource.class));
            }
        }
        return objects;
    }

    /** Creates one of {@link #meshObjects} in the cluster; returns it as stored. */
    public static HasMetadata create(KubernetesClient client, HasMetadata object) {
        if (object instanceof Service service) {
            return client.services().resource(service).create();
        }
        if (object instanceof ConfigMap configMap) {
            return client.configMaps().resource(configMap).create();
        }
        GenericKubernetesResource generic = (GenericKubernetesResource) object;
        return client.genericKubernetesResources(policyKind(generic)).resource(generic).create();
    }

    /** Deletes one of {@link #meshObjects} from the cluster. */
    public static void delete(KubernetesClient client, HasMetadata object) {
        if (object instanceof Service service) {
            client.services().resource(service).delete();
        } else if (object instanceof ConfigMap configMap) {
            client.configMaps().resource(configMap).delete();
        } else {
            GenericKubernetesResource generic = (GenericKubernetesResource) object;
            client.genericKubernetesResources(policyKind(generic)).resource(generic).delete();
        }
    }

    /** {@code Kind namespace/name}, to compare what was created with what a cache holds. */
    public static String key(HasMetadata resource) {
        return resource.getKind() + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    private static ResourceDefinitionContext policyKind(HasMetadata resource) {
        return IstioApis.context(switch (resource.getKind()) {
            case "PeerAuthentication" -> IstioKind.PEER_AUTHENTICATION_V1;
            case "Policy" -> IstioKind.POLICY;
            case "MeshPolicy" -> IstioKind.MESH_POLICY;
            default -> throw new IllegalArgumentException(resource.getKind());
        });
    }
}
