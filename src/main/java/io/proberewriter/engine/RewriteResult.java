package io.proberewriter.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the engine decided for one pod: a decision per probe, warnings for the person who applied it, and the
 * edits as targeted operations (probes to replace, annotations to set) that the webhook turns into a JSON
 * patch and the CLI applies to the manifest. All or nothing: the edits are complete or empty.
 */
public record RewriteResult(List<ProbeDecision> decisions, List<String> warnings,
                            List<ProbeReplacement> replacements, SortedMap<String, String> annotationUpdates) {

    private static final ObjectMapper COPIER = new ObjectMapper();

    public RewriteResult {
        decisions = List.copyOf(decisions);
        warnings = List.copyOf(warnings);
        replacements = List.copyOf(replacements);
        annotationUpdates = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(annotationUpdates));
    }

    public boolean changed() {
        return !replacements.isEmpty() || !annotationUpdates.isEmpty();
    }

    /** The rewritten pod: a copy of {@code pod} with the edits applied; {@code pod} itself is not touched. */
    public Pod applyTo(Pod pod) {
        Pod copy = deepCopy(pod);
        for (ProbeReplacement r : replacements) {
            List<Container> list = r.container().section() == ContainerSection.CONTAINERS
                    ? copy.getSpec().getContainers() : copy.getSpec().getInitContainers();
            r.kind().set(list.get(r.container().index()), r.probe());
        }
        if (!annotationUpdates.isEmpty()) {
            if (copy.getMetadata() == null) {
                copy.setMetadata(new ObjectMeta());
            }
            Map<String, String> annotations = copy.getMetadata().getAnnotations() == null
                    ? new LinkedHashMap<>() : new LinkedHashMap<>(copy.getMetadata().getAnnotations());
            annotations.putAll(annotationUpdates);
            copy.getMetadata().setAnnotations(annotations);
        }
        return copy;
    }

    private static Pod deepCopy(Pod pod) {
        try {
            return COPIER.readValue(COPIER.writeValueAsBytes(pod), Pod.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy pod", e);
        }
    }
}
