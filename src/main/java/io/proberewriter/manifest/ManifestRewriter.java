package io.proberewriter.manifest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.json.Mappers;
import io.proberewriter.patch.PodPatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Runs the engine over the pods a manifest document describes and applies its edits as a JSON patch to the
 * document itself, so everything the engine does not touch (field order, unknown fields, other documents)
 * comes out exactly as it went in.
 */
public final class ManifestRewriter {

    private final ProbeRewriter engine;
    private final NamespaceDirectory namespaces;
    private final String defaultNamespace;

    public ManifestRewriter(ProbeRewriter engine, NamespaceDirectory namespaces, String defaultNamespace) {
        this.engine = engine;
        this.namespaces = namespaces;
        this.defaultNamespace = defaultNamespace;
    }

    public DocumentResult rewrite(SourceDocument document) throws ManifestException {
        List<PodTemplateSite> sites = PodTemplates.find(document);
        if (sites.isEmpty()) {
            return new DocumentResult(document, document.content(), List.of());
        }
        JsonNode output = document.content();
        boolean copied = false;
        List<WorkloadReport> reports = new ArrayList<>();
        for (PodTemplateSite site : sites) {
            Pod pod = toPod(document, site);
            String namespace = site.namespace() != null ? site.namespace() : defaultNamespace;
            RewriteResult result = engine.rewrite(pod, namespaces.context(namespace));
            reports.add(new WorkloadReport(document, site, namespace, result));
            if (!result.changed()) {
                continue;
            }
            // The patch is applied to the template alone (zjsonpatch copies what it patches): patching the whole
            // document once per template made a List of thousands of pods cost thousands of copies of the List.
            JsonNode patched = JsonPatch.apply(PodPatch.of(result, pod.getMetadata(), "").toTree(), site.template());
            if (site.pointer().isEmpty()) {
                output = patched;
                continue;
            }
            if (!copied) {
                output = output.deepCopy();
                copied = true;
            }
            replace(output, JsonPointer.compile(site.pointer()), patched);
        }
        return new DocumentResult(document, output, reports);
    }

    private static void replace(JsonNode root, JsonPointer pointer, JsonNode value) {
        JsonNode parent = root.at(pointer.head());
        JsonPointer last = pointer.last();
        if (parent instanceof ObjectNode object) {
            object.set(last.getMatchingProperty(), value);
        } else if (parent instanceof ArrayNode array) {
            array.set(last.getMatchingIndex(), value);
        } else {
            throw new IllegalStateException("no pod template at " + pointer);
        }
    }

    public List<DocumentResult> rewriteAll(Collection<SourceDocument> documents) throws ManifestException {
        List<DocumentResult> results = new ArrayList<>();
        for (SourceDocument doc : documents) {
            results.add(rewrite(doc));
        }
        return results;
    }

    private static Pod toPod(SourceDocument document, PodTemplateSite site) throws ManifestException {
        Pod pod;
        WholeNumbers.makeWhole(site.template());
        try {
            pod = Mappers.MANIFEST_MODEL.treeToValue(site.template(), Pod.class);
        } catch (JsonMappingException e) {
            throw new ManifestException(document.describe() + ": " + BindingErrors.describe(site.template(),
                    site.fieldPath(), e), e);
        } catch (Exception e) {
            throw new ManifestException(document.describe() + ": " + site.workload() + " is not a valid pod template: "
                    + e.getMessage(), e);
        }
        refuseContainerFieldsInPodSpec(document, site, pod);
        return pod;
    }

    /**
     * Fields of a container written one level too high, on the pod spec: a list item indented like its parent key
     * ends the list there, so everything after the first field of the container lands on the pod. kubectl refuses
     * such a manifest (unknown fields); reading it would silently lose the container's probes.
     */
    private static void refuseContainerFieldsInPodSpec(SourceDocument document, PodTemplateSite site, Pod pod)
            throws ManifestException {
        if (pod.getSpec() == null || pod.getSpec().getAdditionalProperties() == null) {
            return;
        }
        List<String> misplaced = pod.getSpec().getAdditionalProperties().keySet().stream()
                .filter(CONTAINER_ONLY_FIELDS::contains).sorted().toList();
        if (misplaced.isEmpty()) {
            return;
        }
        String spec = site.fieldPath().isEmpty() ? "spec" : site.fieldPath() + ".spec";
        throw new ManifestException(document.describe() + ": " + site.workload() + ": " + spec + " has "
                + String.join(", ", misplaced) + (misplaced.size() == 1 ? ", which is a field" : ", which are fields")
                + " of a container, not of a pod: indent " + (misplaced.size() == 1 ? "it" : "them")
                + " under an item of " + spec + ".containers (kubectl refuses unknown fields; the probes there would"
                + " never run)");
    }

    /** Fields of a Container that a PodSpec does not have (restartPolicy and securityContext are in both). */
    private static final java.util.Set<String> CONTAINER_ONLY_FIELDS = java.util.Set.of("name", "image",
            "imagePullPolicy", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
            "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
            "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce", "tty");
}
