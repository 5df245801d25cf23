package io.proberewriter.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.proberewriter.json.Mappers;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Istio resolver reads from the ConfigMaps of Istio's control plane, in Istio's own namespace
 * ({@code istio-system} by default):
 * <ul>
 *   <li>{@code istio-sidecar-injector} (and {@code istio-sidecar-injector-<revision>}), key {@code values}: the
 *       injector's Helm values as JSON; {@code sidecarInjectorWebhook.rewriteAppHTTPProbe} is the mesh default of
 *       Istio's own probe rewrite, the one the injector applies to a pod that does not say;</li>
 *   <li>{@code istio}, key {@code mesh}: the mesh configuration as YAML; its top-level {@code authPolicy:
 *       MUTUAL_TLS} is Istio 0.8's global mTLS switch (the seeds' "mTLS globally enabled"), {@code NONE} turns it
 *       off. Later meshes do not set it.</li>
 * </ul>
 * Pure: reads the ConfigMap it is given. A ConfigMap whose value cannot be read is recorded in {@code ignored} and
 * read as not saying anything, never thrown.
 */
public final class IstioConfigMaps {

    public static final String INJECTOR = "istio-sidecar-injector";
    public static final String MESH = "istio";


    private IstioConfigMaps() {
    }

    /**
     * The injector's answer for one revision.
     *
     * @param revision            {@code ""} for the default revision ({@code istio-sidecar-injector})
     * @param source              {@code ConfigMap istio-system/istio-sidecar-injector}, for reasons and logs
     * @param rewriteAppHttpProbe empty when the values do not say
     * @param declaredPortsOnly   its template captures only the declared containerPorts, as Istio 1.2 and older did
     *                            ({@code includeInboundPorts .Spec.Containers}); later templates capture {@code *}
     */
    public record Injector(String revision, String source, Optional<Boolean> rewriteAppHttpProbe,
                           boolean declaredPortsOnly) {
    }

    /** How Istio 1.2 and older templates computed the captured inbound ports: from the declared containerPorts. */
    private static final String DECLARED_PORTS_TEMPLATE = "includeInboundPorts .Spec.Containers";

    /**
     * @param source     {@code ConfigMap istio-system/istio}
     * @param globalMtls Istio 0.8's {@code authPolicy}: true for {@code MUTUAL_TLS}, false for {@code NONE}, empty
     *                   when the mesh config does not set it
     * @param rootNamespace {@code rootNamespace}, where the mesh-wide policies are, when the mesh config sets it
     *                      (Istio's installers write the namespace they install into)
     */
    public record MeshConfig(String source, Optional<Boolean> globalMtls, Optional<String> rootNamespace) {
    }

    /** Whether this ConfigMap is one the resolver reads, by name, in Istio's namespace. */
    public static boolean isRead(String namespace, String name, String istioNamespace) {
        return istioNamespace.equals(namespace) && name != null
                && (name.equals(INJECTOR) || name.startsWith(INJECTOR + "-") || name.equals(MESH));
    }

    static Optional<Injector> injector(ConfigMap configMap, String istioNamespace, List<String> ignored) {
        String name = configMap.getMetadata() == null ? null : configMap.getMetadata().getName();
        String namespace = configMap.getMetadata() == null ? null : configMap.getMetadata().getNamespace();
        if (!istioNamespace.equals(namespace) || name == null
                || !(name.equals(INJECTOR) || name.startsWith(INJECTOR + "-"))) {
            return Optional.empty();
        }
        String revision = name.equals(INJECTOR) ? "" : name.substring(INJECTOR.length() + 1);
        String source = "ConfigMap " + namespace + "/" + name;
        String template = configMap.getData() == null ? null : configMap.getData().get("config");
        boolean declaredPortsOnly = template != null && template.contains(DECLARED_PORTS_TEMPLATE);
        Optional<JsonNode> values = read(configMap, "values", source, ignored);
        if (values.isEmpty()) {
            return Optional.of(new Injector(revision, source, Optional.empty(), declaredPortsOnly));
        }
        JsonNode value = values.get().path("sidecarInjectorWebhook").path("rewriteAppHTTPProbe");
        Optional<Boolean> rewrite = bool(value);
        if (rewrite.isEmpty() && !value.isMissingNode() && !value.isNull()) {
            ignored.add(source + ": values.sidecarInjectorWebhook.rewriteAppHTTPProbe is not a boolean ("
                    + value + ")");
        }
        return Optional.of(new Injector(revision, source, rewrite, declaredPortsOnly));
    }

    /** The {@code rootNamespace} of the mesh config among {@code configMaps}, where it sets one. */
    public static Optional<String> rootNamespace(List<ConfigMap> configMaps, String istioNamespace) {
        Optional<String> root = Optional.empty();
        for (ConfigMap configMap : configMaps) {
            Optional<MeshConfig> mesh = configMap == null ? Optional.empty()
                    : meshConfig(configMap, istioNamespace, new java.util.ArrayList<>());
            if (mesh.isPresent()) {
                root = mesh.get().rootNamespace();
            }
        }
        return root;
    }

    static Optional<MeshConfig> meshConfig(ConfigMap configMap, String istioNamespace, List<String> ignored) {
        String name = configMap.getMetadata() == null ? null : configMap.getMetadata().getName();
        String namespace = configMap.getMetadata() == null ? null : configMap.getMetadata().getNamespace();
        if (!istioNamespace.equals(namespace) || !MESH.equals(name)) {
            return Optional.empty();
        }
        String source = "ConfigMap " + namespace + "/" + name;
        Optional<JsonNode> mesh = read(configMap, "mesh", source, ignored);
        JsonNode root = mesh.map(m -> m.path("rootNamespace")).orElse(null);
        Optional<String> rootNamespace = Optional.empty();
        if (root != null && root.isTextual() && !root.asText().isBlank()) {
            rootNamespace = Optional.of(root.asText().strip());
        } else if (root != null && !root.isMissingNode() && !root.isNull()) {
            ignored.add(source + ": mesh.rootNamespace is not a namespace name (" + root + ")");
        }
        JsonNode policy = mesh.map(m -> m.path("authPolicy")).orElse(null);
        if (policy == null || policy.isMissingNode() || policy.isNull()) {
            return Optional.of(new MeshConfig(source, Optional.empty(), rootNamespace));
        }
        return switch (policy.asText()) {
            case "MUTUAL_TLS" -> Optional.of(new MeshConfig(source, Optional.of(true), rootNamespace));
            case "NONE" -> Optional.of(new MeshConfig(source, Optional.of(false), rootNamespace));
            default -> {
                ignored.add(source + ": mesh.authPolicy is neither MUTUAL_TLS nor NONE (" + policy + ")");
                yield Optional.of(new MeshConfig(source, Optional.empty(), rootNamespace));
            }
        };
    }

    /** The key's value parsed as YAML (JSON is YAML); empty when absent or unreadable. */
    private static Optional<JsonNode> read(ConfigMap configMap, String key, String source, List<String> ignored) {
        Map<String, String> data = configMap.getData();
        String text = data == null ? null : data.get(key);
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            // The injector's values are JSON as Istio writes them: read as such, which is an order of magnitude
            // cheaper than YAML, since the snapshot holding them is rebuilt on the admission path after a change.
            JsonNode node = text.stripLeading().startsWith("{") ? Mappers.TREES.readTree(text) : Mappers.YAML.readTree(text);
            if (node == null || !node.isObject()) {
                ignored.add(source + ": data." + key + " is not an object");
                return Optional.empty();
            }
            return Optional.of(node);
        } catch (Exception e) {
            ignored.add(source + ": data." + key + " is not readable JSON or YAML ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
            return Optional.empty();
        }
    }

    /** A Helm value may come as a boolean or, hand-edited, as the string "true"/"false". */
    private static Optional<Boolean> bool(JsonNode node) {
        if (node.isBoolean()) {
            return Optional.of(node.booleanValue());
        }
        if (node.isTextual() && (node.textValue().equals("true") || node.textValue().equals("false"))) {
            return Optional.of(Boolean.parseBoolean(node.textValue()));
        }
        return Optional.empty();
    }
}
