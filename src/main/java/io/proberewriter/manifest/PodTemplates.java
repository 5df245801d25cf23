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
        JsonNode content = document.content();
        requireObject(document.describe(), content, true);
        List<PodTemplateSite> sites = new ArrayList<>();
        collect(document, content, "", content.path("apiVersion").asText(), content.path("kind").asText(), sites);
        return sites;
    }

    /**
     * Every document must be a Kubernetes object, as kubectl requires: printing back a JSON Patch, a Helm values file
     * or a kustomization's fragment unchanged with exit 0 would tell the user all is well when nothing was looked at.
     * The items of a list likewise, once they have what kubectl gives them ({@link ListItems}).
     *
     * @param where    the document, or the document and the item ({@code in.yaml, document 1 (List), items[0]})
     * @param document whether {@code content} is a whole document, which may be a JSON Patch given by mistake
     */
    private static void requireObject(String where, JsonNode content, boolean document) throws ManifestException {
        if (!content.isObject()) {
            throw new ManifestException(where + ": " + describe(content) + ", not a Kubernetes object"
                    + (document && content.isArray() ? " (a JSON Patch? give the object itself)" : "")
                    // kubectl skips an empty document but refuses '' as a string: say how to write the empty one.
                    + (document && content.isTextual() && content.asText().isBlank()
                            ? " (an empty document is a bare ---, or null, not a quoted string)" : ""));
        }
        List<String> missing = new ArrayList<>();
        for (String field : List.of("apiVersion", "kind")) {
            if (ListItems.blank(content.path(field))) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            boolean patchOperation = content.has("op") && content.has("path");
            throw new ManifestException(where + ": not a Kubernetes object: "
                    + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set"
                    + (patchOperation ? " (a JSON Patch operation? give the object it applies to)" : ""));
        }
    }

    /**
     * @param apiVersion the object's apiVersion, or for an item of a typed list that sets none, the list's
     * @param kind       the object's kind, or for such an item, the kind the list is named for
     */
    private static void collect(SourceDocument document, JsonNode node, String base, String apiVersion, String kind,
                                List<PodTemplateSite> sites) throws ManifestException {
        // kubectl prints v1 List; typed lists (apps/v1 DeploymentList, v1 PodList) hold items the same way. Their
        // items are objects of their own, whatever the list's group: each is checked as a document is.
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
                JsonNode item = items.get(i);
                String pointer = base + "/items/" + i;
                boolean inherits = ListItems.inherits(node, item);
                if (!inherits) {
                    requireObject(document.describe() + ", " + dotted(pointer), item, false);
                }
                collect(document, item, pointer,
                        inherits ? apiVersion : item.path("apiVersion").asText(),
                        inherits ? ListItems.itemKind(node) : item.path("kind").asText(), sites);
            }
            return;
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (!BUILT_IN_GROUPS.contains(group)) {
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
