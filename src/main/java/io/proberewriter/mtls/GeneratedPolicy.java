package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * The mark on the PeerAuthentications and v1alpha1 Policies that probe-rewriter's operator writes for port mode
 * ({@code docs/port-exceptions.md}). Such a policy exists because a probe was moved to, or kept on, a health port:
 * it is the consequence of a rewrite, never a reason for one, so the resolver that decides the rewrite reads the
 * mesh as if it were absent. Counting it would undo the decision it came from: the health port would look
 * plaintext, the probe on it would need no health port, and the policy would be deleted, then written again.
 */
public final class GeneratedPolicy {

    public static final String LABEL = "app.kubernetes.io/managed-by";
    public static final String VALUE = "probe-rewriter";

    private GeneratedPolicy() {
    }

    /** Whether the resource carries {@code app.kubernetes.io/managed-by: probe-rewriter}. */
    public static boolean isGenerated(HasMetadata resource) {
        Map<String, String> labels = resource.getMetadata() == null ? null : resource.getMetadata().getLabels();
        return labels != null && VALUE.equals(labels.get(LABEL));
    }
}
