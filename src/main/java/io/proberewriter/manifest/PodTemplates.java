package io.proberewriter.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.messages.Excerpt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds the pods a document describes: a Pod itself, the pod template of a workload controller, the template of
 * a CronJob's job, and the items of a List. Only the built-in API groups count, so a custom resource that
 * happens to be called {@code Deployment} passes through untouched.
 */
public final class PodTemplates {

    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "extensions", "batch");

    /** Kind → where its pod template sits. */
    private static final Map<String, String> TEMPLATE_POINTERS = Map.of(
            "Pod", "",
            "PodTemplate", "/template",
            "Deployment", "/spec/template",
            "StatefulSet", "/spec/template",
            "DaemonSet", "/spec/template",
            "ReplicaSet", "/spec/template",
            "ReplicationController", "/spec/template",
            "Job", "/spec/template",
            "CronJob", "/spec/jobTemplate/spec/template");

    private PodTemplates() {
    }

    /** The pod templates in a document: none for kinds this tool does not rewrite. */
    public static List<PodTemplateSite> find(SourceDocument document) throws ManifestException {
        requireObject(document);
        List<PodTemplateSite> sites = new ArrayList<>();
        collect(document, document.content(), "", sites);
        return sites;
    }

    /**
     * Every document must be a Kubernetes object, as kubectl requires: printing back a JSON Patch, a Helm values file
     * or a kustomization's fragment unchanged with exit 0 would tell the user all is well when nothing was looked at.
     */
    private static void requireObject(SourceDocument document) throws ManifestException {
        JsonNode content = document.content();
        if (!content.isObject()) {
            throw new ManifestException(document.describe() + ": " + describe(content) + ", not a Kubernetes object"
                    + (content.isArray() ? " (a JSON Patch? give the object itself)" : ""));
        }
        List<String> missing = new ArrayList<>();
        for (String field : List.of("apiVersion", "kind")) {
            if (!content.path(field).isTextual() || content.path(field).asText().isBlank()) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            boolean patchOperation = content.has("op") && content.has("path");
            throw new ManifestException(document.describe() + ": not a Kubernetes object: "
                    + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set"
                    + (patchOperation ? " (a JSON Patch operation? give the object it applies to)" : ""));
        }
    }

    private static void collect(SourceDocument document, JsonNode node, String base, List<PodTemplateSite> sites)
            throws ManifestException {
        if (!node.isObject()) {
            return;
        }
        String kind = node.path("kind").asText("");
        String apiVersion = node.path("apiVersion").asText("");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (!BUILT_IN_GROUPS.contains(group)) {
            return;
        }
        // kubectl prints v1 List; typed lists (apps/v1 DeploymentList, v1 PodList) hold items the same way.
        if (kind.endsWith("List")) {
            JsonNode items = node.get("items");
            if (items == null || items.isNull()) {
                return;
            }
            if (!items.isArray()) {
                throw new ManifestException(document.describe() + ": " + dotted(base + "/items")
                        + ": expected a list, got " + describe(items));
            }
            for (int i = 0; i < items.size(); i++) {
                collect(document, items.get(i), base + "/items/" + i, sites);
            }
            return;
        }
        String relative = TEMPLATE_POINTERS.get(kind);
        if (relative == null) {
            return;
        }
        String pointer = base + relative;
        JsonNode template = relative.isEmpty() ? node : node.at(relative);
        String name = node.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            name = node.path("metadata").path("generateName").asText("<unnamed>");
        }
        if (template.isMissingNode() || template.isNull()) {
            throw new ManifestException(document.describe() + ": " + dotted(pointer)
                    + " is missing: a " + kind + " needs a pod template");
        }
        if (!template.isObject()) {
            throw new ManifestException(document.describe() + ": " + dotted(pointer)
                    + ": expected an object, got " + describe(template));
        }
        JsonNode spec = template.get("spec");
        if (spec == null || spec.isNull()) {
            throw new ManifestException(document.describe() + ": " + dotted(pointer + "/spec")
                    + " is missing: a " + kind + " needs a pod spec");
        }
        String namespace = node.path("metadata").path("namespace").asText("");
        sites.add(new PodTemplateSite(pointer, kind.toLowerCase(Locale.ROOT) + "/" + name,
                namespace.isEmpty() ? null : namespace, template));
    }

    static String dotted(String pointer) {
        return new PodTemplateSite(pointer, "", null, null).fieldPath();
    }

    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "the string \"" + Excerpt.of(node.asText()) + "\"";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + node;
    }
}
