package io.proberewriter.patch;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 *
 * <p>The operations hold the engine's model objects as they are. The webhook writes them straight to bytes
 * ({@link #toJson()}); the CLI, which applies the patch to a manifest, asks for a tree ({@link #toTree()}). Both are
 * the same serialization of the same list, so the two cannot disagree.
 */
public final class PodPatch {

    /** NON_NULL: a patch that carries {@code "grpc": null} for every unset field is noise, and some APIs refuse it. */
    private static final ObjectMapper JSON = Mappers.WRITTEN;

    /**
     * One RFC 6902 operation. {@code value} is a model object (a probe, a volume, a container), a map or a string,
     * serialized as Jackson serializes it.
     */
    @JsonPropertyOrder({"op", "path", "value"})
    public record Operation(String op, String path, Object value) {
    }

    private final List<Operation> operations;

    private PodPatch(List<Operation> operations) {
        this.operations = List.copyOf(operations);
    }

    /**
     * @param result   the engine's result for the pod
     * @param metadata the pod's metadata as it came in (null when absent), to decide between adding the
     *                 annotations map and adding single keys
     * @param prefix   JSON pointer of the pod-shaped object in the document: {@code ""} for a Pod,
     *                 {@code "/spec/template"} for a Deployment's pod template
     */
    public static PodPatch of(RewriteResult result, ObjectMeta metadata, String prefix) {
        List<Operation> ops = new ArrayList<>();
        for (ProbeReplacement r : result.replacements()) {
            ops.add(new Operation("replace", container(prefix, r.container()) + "/" + r.kind().pointer(), r.probe()));
        }
        Map<String, String> updates = result.annotationUpdates();
        if (!updates.isEmpty()) {
            Map<String, String> existing = metadata == null ? null : metadata.getAnnotations();
            if (metadata == null) {
                ops.add(new Operation("add", prefix + "/metadata", Map.of("annotations", updates)));
            } else if (existing == null || existing.isEmpty()) {
                // fabric8 reads an absent map as empty, so "empty" may mean "absent": adding the whole map is
                // right in both cases (an add on an existing member replaces it).
                ops.add(new Operation("add", prefix + "/metadata/annotations", updates));
            } else {
                updates.forEach((key, value) -> ops.add(new Operation(existing.containsKey(key) ? "replace" : "add",
                        prefix + "/metadata/annotations/" + escape(key), value)));
            }
        }
        ProberInjection prober = result.proberInjection();
        prober.volume().ifPresent(volume -> ops.add(prober.firstVolume()
                ? new Operation("add", prefix + "/spec/volumes", List.of(volume))
                : new Operation("add", prefix + "/spec/volumes/-", volume)));
        for (ProberInjection.Mount mount : prober.mounts()) {
            String mounts = container(prefix, mount.container()) + "/volumeMounts";
            ops.add(mount.first() ? new Operation("add", mounts, List.of(mount.mount()))
                    : new Operation("add", mounts + "/-", mount.mount()));
        }
        ops.sort(Comparator.comparing(Operation::path));
        // Last, out of path order: putting the init container first shifts every init container's index, and the
        // paths above address them as they were sent (a native sidecar's probe, its volume mounts).
        prober.initContainer().ifPresent(init -> ops.add(prober.firstInitContainer()
                ? new Operation("add", prefix + "/spec/initContainers", List.of(init))
                : new Operation("add", prefix + "/spec/initContainers/0", init)));
        return new PodPatch(ops);
    }

    public List<Operation> operations() {
        return operations;
    }

    /** The patch as JSON text in UTF-8, written from the model objects without a tree in between. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(operations);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON patch", e);
        }
    }

    /** The patch as a tree, for applying it to a document. */
    public ArrayNode toTree() {
        return JSON.valueToTree(operations);
    }

    @Override
    public String toString() {
        return toTree().toString();
    }

    private static String container(String prefix, ContainerRef ref) {
        return prefix + "/spec/" + ref.section().fieldName() + "/" + ref.index();
    }

    /** JSON pointer escaping (RFC 6901): annotation keys contain '/'. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
