package io.proberewriter.patch;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.proberewriter.engine.ArgumentReplacement;
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
 * operation per annotation set or removed, never a diff of whole objects, so the cost follows the probes and not the
 * size of the pod. Operations are sorted by path so that the same input always gives the same bytes (golden files,
 * reproducible admission responses), but for the prober's init container, which comes last (see below).
 *
 * <p>The operations hold the engine's model objects as they are. The webhook writes them straight to bytes
 * ({@link #toJson()}); the CLI, which applies the patch to a manifest, asks for a tree ({@link #toTree()}). Both are
 * the same mapper's serialization of the same list, so the two cannot disagree; only, for the webhook, the prober's
 * parts, the same objects in every patch, are written once and then copied in ({@link WrittenOnce}).
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

    /** The prober's three parts, the same objects in every patch that adds them: their JSON is written once. */
    private static final WrittenOnce PROBER_VOLUME = new WrittenOnce(JSON);
    private static final WrittenOnce PROBER_MOUNT = new WrittenOnce(JSON);
    private static final WrittenOnce PROBER_INIT_CONTAINER = new WrittenOnce(JSON);

    /** An operation, and the same operation as {@link #toJson()} writes it. */
    private record Edit(Operation operation, Operation written) {

        static Edit of(String op, String path, Object value) {
            Operation operation = new Operation(op, path, value);
            return new Edit(operation, operation);
        }

        /** An add of one of the prober's parts: the whole list when there is none ({@code first}), else the part. */
        static Edit proberPart(WrittenOnce json, String list, boolean first, String position, Object part) {
            String path = first ? list : list + position;
            Object written = json.json(part);
            return new Edit(new Operation("add", path, first ? List.of(part) : part),
                    new Operation("add", path, first ? List.of(written) : written));
        }
    }

    private final List<Operation> operations;
    /** The same operations, with the prober's parts as their JSON written once. */
    private final List<Operation> written;

    private PodPatch(List<Edit> edits) {
        this.operations = edits.stream().map(Edit::operation).toList();
        this.written = edits.stream().map(Edit::written).toList();
    }

    /**
     * @param result   the engine's result for the pod
     * @param metadata the pod's metadata as it came in (null when absent), to decide between adding the
     *                 annotations map and adding single keys
     * @param prefix   JSON pointer of the pod-shaped object in the document: {@code ""} for a Pod,
     *                 {@code "/spec/template"} for a Deployment's pod template
     */
    public static PodPatch of(RewriteResult result, ObjectMeta metadata, String prefix) {
        List<Edit> ops = new ArrayList<>();
        for (ProbeReplacement r : result.replacements()) {
            ops.add(Edit.of("replace", container(prefix, r.container()) + "/" + r.kind().pointer(), r.probe()));
        }
        Map<String, String> updates = result.annotationUpdates();
        Map<String, String> present = metadata == null || metadata.getAnnotations() == null ? Map.of()
                : metadata.getAnnotations();
        if (updates.isEmpty() && !present.isEmpty() && result.annotationRemovals().containsAll(present.keySet())) {
            // Nothing left: no empty map in the manifest where the user had none before the rewrite.
            ops.add(Edit.of("remove", prefix + "/metadata/annotations", null));
        } else {
            for (String key : result.annotationRemovals()) {
                if (present.containsKey(key)) {
                    ops.add(Edit.of("remove", prefix + "/metadata/annotations/" + escape(key), null));
                }
            }
        }
        if (!updates.isEmpty()) {
            Map<String, String> existing = metadata == null ? null : metadata.getAnnotations();
            if (metadata == null) {
                ops.add(Edit.of("add", prefix + "/metadata", Map.of("annotations", updates)));
            } else if (existing == null || existing.isEmpty()) {
                // fabric8 reads an absent map as empty, so "empty" may mean "absent": adding the whole map is
                // right in both cases (an add on an existing member replaces it).
                ops.add(Edit.of("add", prefix + "/metadata/annotations", updates));
            } else {
                updates.forEach((key, value) -> ops.add(Edit.of(existing.containsKey(key) ? "replace" : "add",
                        prefix + "/metadata/annotations/" + escape(key), value)));
            }
        }
        for (ArgumentReplacement a : result.argumentReplacements()) {
            ops.add(Edit.of("replace", container(prefix, a.container()) + "/args/" + a.index(), a.value()));
        }
        ProberInjection prober = result.proberInjection();
        prober.volume().ifPresent(volume -> ops.add(Edit.proberPart(PROBER_VOLUME, prefix + "/spec/volumes",
                prober.firstVolume(), "/-", volume)));
        // "add" sets the member whether or not the container names an image.
        prober.image().ifPresent(update -> ops.add(Edit.of("add",
                prefix + "/spec/initContainers/" + update.index() + "/image", update.image())));
        for (ProberInjection.Mount mount : prober.mounts()) {
            ops.add(Edit.proberPart(PROBER_MOUNT, container(prefix, mount.container()) + "/volumeMounts",
                    mount.first(), "/-", mount.mount()));
        }
        ops.sort(Comparator.comparing(edit -> edit.operation().path()));
        // Last, out of path order: putting the init container first shifts every init container's index, and the
        // paths above address them as they were sent (a native sidecar's probe, its volume mounts).
        prober.initContainer().ifPresent(init -> ops.add(Edit.proberPart(PROBER_INIT_CONTAINER,
                prefix + "/spec/initContainers", prober.firstInitContainer(), "/0", init)));
        return new PodPatch(ops);
    }

    public List<Operation> operations() {
        return operations;
    }

    /**
     * The patch as JSON text in UTF-8, written from the model objects without a tree in between; the prober's parts,
     * the same objects in every patch, as their JSON written the first time ({@link WrittenOnce}).
     */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(written);
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
