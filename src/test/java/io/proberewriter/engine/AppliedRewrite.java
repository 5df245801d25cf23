package io.proberewriter.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.json.Mappers;
import io.proberewriter.patch.PodPatch;

/**
 * A rewrite applied to the pod model, for tests that check the rewritten pod rather than the patch. It goes the way
 * production goes: the result becomes the JSON patch the webhook sends, applied by zjsonpatch as the CLI applies it.
 */
public final class AppliedRewrite {

    private static final ObjectMapper JSON = Mappers.WRITTEN;

    private AppliedRewrite() {
    }

    /** A copy of {@code pod} with the result's edits applied; {@code pod} itself is not touched. */
    public static Pod apply(RewriteResult result, Pod pod) {
        JsonNode patched = JsonPatch.apply(PodPatch.of(result, pod.getMetadata(), "").toTree(),
                JSON.valueToTree(pod));
        try {
            return JSON.treeToValue(patched, Pod.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the patched pod is no longer a pod", e);
        }
    }
}
