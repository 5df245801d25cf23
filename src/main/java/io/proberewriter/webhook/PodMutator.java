package io.proberewriter.webhook;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.patch.PodPatch;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * The admission decision for one pod: the pod and its namespace in; the outcome, the targeted JSON patch and the
 * warning lines out. It never sees HTTP or the AdmissionReview ({@link ReviewCodec} has those), so that every golden
 * case can run through it in process, as Istio's injector tests run theirs.
 */
@Singleton
public class PodMutator {

    private final ProbeRewriter engine;
    private final int maxWarnings;

    PodMutator(ProbeRewriter engine, int maxWarnings) {
        this.engine = engine;
        this.maxWarnings = maxWarnings;
    }

    @Inject
    PodMutator(ProbeRewriter engine, ProbeRewriterConfig config) {
        this(engine, config.webhook().maxWarnings());
    }

    /**
     * @param pod       the pod to be created; its metadata gets the namespace when it has none, as the API server
     *                  will give it
     * @param namespace the namespace it is created in: one known not to be opted in is left alone (the webhook
     *                  configuration's namespaceSelector should not have sent it); an unknown one gets global defaults
     * @param name      the pod's name as the API server gave it, empty when it has only a generateName
     */
    Mutation mutate(Pod pod, NamespaceView namespace, String name) {
        if (namespace.optedOut()) {
            return Mutation.allow(Outcome.SKIPPED, List.of());
        }
        if (pod.getMetadata() != null && pod.getMetadata().getNamespace() == null) {
            pod.getMetadata().setNamespace(namespace.name());
        }
        RewriteResult result = engine.rewrite(pod, namespace.context());
        List<String> warnings = AdmissionWarnings.of(result, displayName(pod, name), namespace.name(), maxWarnings);
        if (!result.changed()) {
            return new Mutation(Outcome.UNCHANGED, Optional.empty(), warnings, Optional.of(result));
        }
        return new Mutation(Outcome.PATCHED, Optional.of(PodPatch.of(result, pod.getMetadata(), "")), warnings,
                Optional.of(result));
    }

    /** On CREATE a pod often has only a generateName: say so rather than print an empty name. */
    private static String displayName(Pod pod, String name) {
        if (!name.isEmpty()) {
            return name;
        }
        if (pod.getMetadata() != null && pod.getMetadata().getName() != null) {
            return pod.getMetadata().getName();
        }
        if (pod.getMetadata() != null && pod.getMetadata().getGenerateName() != null) {
            return pod.getMetadata().getGenerateName() + "<generated>";
        }
        return "<unnamed>";
    }
}
