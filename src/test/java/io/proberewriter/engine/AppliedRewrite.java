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

/**
 * A rewrite applied to the pod model, for tests that check the rewritten pod without a patch in between. Production
 * never needs it: the webhook sends a JSON patch, the CLI edits the manifest's tree.
 */
public final class AppliedRewrite {

    private static final ObjectMapper COPIER = new ObjectMapper();

    private AppliedRewrite() {
    }

    /** A copy of {@code pod} with the result's edits applied; {@code pod} itself is not touched. */
    public static Pod apply(RewriteResult result, Pod pod) {
        Pod copy = deepCopy(pod);
        for (ProbeReplacement r : result.replacements()) {
            List<Container> list = r.container().section() == ContainerSection.CONTAINERS
                    ? copy.getSpec().getContainers() : copy.getSpec().getInitContainers();
            r.kind().set(list.get(r.container().index()), r.probe());
        }
        if (!result.annotationUpdates().isEmpty()) {
            if (copy.getMetadata() == null) {
                copy.setMetadata(new ObjectMeta());
            }
            Map<String, String> annotations = copy.getMetadata().getAnnotations() == null
                    ? new LinkedHashMap<>() : new LinkedHashMap<>(copy.getMetadata().getAnnotations());
            annotations.putAll(result.annotationUpdates());
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
