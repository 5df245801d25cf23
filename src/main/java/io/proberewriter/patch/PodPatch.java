package io.proberewriter.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.proberewriter.engine.ContainerRef;
import io.proberewriter.engine.ProberInjection;
import io.proberewriter.engine.ProbeReplacement;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.json.Mappers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns the engine's edits into an RFC 6902 JSON patch: one {@code replace} per rewritten probe and one
 * operation per annotation, never a diff of whole objects, so the cost follows the probes and not the size of
 * the pod. Operations are sorted by path so that the same input always gives the same bytes (golden files,
 * reproducible admission responses), but for the prober's init container, which comes last (see below).
 */
public final class PodPatch {

    /** NON_NULL: a patch that carries {@code "grpc": null} for every unset field is noise, and some APIs refuse it. */
    private static final ObjectMapper JSON = Mappers.WRITTEN;

    private PodPatch() {
    }

    /**
     * @param result   the engine's result for the pod
     * @param metadata the pod's metadata as it came in (null when absent), to decide between adding the
     *                 annotations map and adding single keys
     * @param prefix   JSON pointer of the pod-shaped object in the document: {@code ""} for a Pod,
     *                 {@code "/spec/template"} for a Deployment's pod template
     */
    public static ArrayNode of(RewriteResult result, ObjectMeta metadata, String prefix) {
        List<ObjectNode> ops = new ArrayList<>();
        for (ProbeReplacement r : result.replacements()) {
            String path = container(prefix, r.container()) + "/" + r.kind().pointer();
            ops.add(op("replace", path, JSON.valueToTree(r.probe())));
        }
        Map<String, String> updates = result.annotationUpdates();
        if (!updates.isEmpty()) {
            Map<String, String> existing = metadata == null ? null : metadata.getAnnotations();
            if (metadata == null) {
                ObjectNode meta = JSON.createObjectNode();
                meta.set("annotations", JSON.valueToTree(updates));
                ops.add(op("add", prefix + "/metadata", meta));
            } else if (existing == null || existing.isEmpty()) {
                // fabric8 reads an absent map as empty, so "empty" may mean "absent": adding the whole map is
                // right in both cases (an add on an existing member replaces it).
                ops.add(op("add", prefix + "/metadata/annotations", JSON.valueToTree(updates)));
            } else {
                updates.forEach((key, value) -> ops.add(op(existing.containsKey(key) ? "replace" : "add",
                        prefix + "/metadata/annotations/" + escape(key), JSON.getNodeFactory().textNode(value))));
            }
        }
        ProberInjection prober = result.proberInjection();
        prober.volume().ifPresent(volume -> ops.add(prober.firstVolume()
                ? op("add", prefix + "/spec/volumes", JSON.createArrayNode().add(JSON.valueToTree(volume)))
                : op("add", prefix + "/spec/volumes/-", JSON.valueToTree(volume))));
        for (ProberInjection.Mount mount : prober.mounts()) {
            String mounts = container(prefix, mount.container()) + "/volumeMounts";
            ops.add(mount.first() ? op("add", mounts, JSON.createArrayNode().add(JSON.valueToTree(mount.mount())))
                    : op("add", mounts + "/-", JSON.valueToTree(mount.mount())));
        }
        ops.sort(Comparator.comparing(o -> o.get("path").asText()));
        // Last, out of path order: putting the init container first shifts every init container's index, and the
        // paths above address them as they were sent (a native sidecar's probe, its volume mounts).
        prober.initContainer().ifPresent(init -> ops.add(prober.firstInitContainer()
                ? op("add", prefix + "/spec/initContainers", JSON.createArrayNode().add(JSON.valueToTree(init)))
                : op("add", prefix + "/spec/initContainers/0", JSON.valueToTree(init))));
        ArrayNode patch = JSON.createArrayNode();
        ops.forEach(patch::add);
        return patch;
    }

    private static String container(String prefix, ContainerRef ref) {
        return prefix + "/spec/" + ref.section().fieldName() + "/" + ref.index();
    }

    private static ObjectNode op(String op, String path, JsonNode value) {
        ObjectNode node = JSON.createObjectNode();
        node.put("op", op);
        node.put("path", path);
        node.set("value", value);
        return node;
    }

    /** JSON pointer escaping (RFC 6901): annotation keys contain '/'. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
