package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.audit.PodFinding.Remediation;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.PodLifecycle;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.scope.WebhookScope;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * "What is wrong with this pod, and would a restart help?" as a pure function: the live pod and what is known of
 * its namespace in, a {@link PodFinding} out. It runs the webhook's own engine on the pod as it runs now. The
 * engine is idempotent, so a pod the webhook rewrote comes out with nothing broken; a pod it would still change
 * slipped past the webhook (created while it was down, or before the namespace opted in); and a probe the engine
 * leaves broken (mode off, an invalid annotation) is broken whatever happens at admission.
 */
public final class PodAudit {

    /** Never admitted through the webhook (its namespaceSelector leaves it out): nothing to check or restart. */
    static final String KUBE_SYSTEM = "kube-system";

    private PodAudit() {
    }

    /**
     * @param namespace    the pod's namespace as cached; an unknown one counts as not opted in
     * @param ownNamespace probe-rewriter's namespace, whose pods are never touched
     * @param scope        which pods the API server sends to the webhook, as its configuration says (or unknown)
     */
    public static PodFinding examine(Pod pod, NamespaceView namespace, String ownNamespace, WebhookScope scope,
                                     ProbeRewriter engine) {
        String ns = pod.getMetadata().getNamespace();
        if (ns == null || ns.equals(ownNamespace)) {
            return PodFinding.ignored("probe-rewriter's own namespace");
        }
        if (ns.equals(KUBE_SYSTEM)) {
            return PodFinding.ignored("kube-system is never sent to the webhook");
        }
        if (!namespace.optedIn()) {
            return PodFinding.ignored("namespace " + ns + " is not opted in (label " + Annotations.ENABLED_LABEL
                    + ": \"true\")");
        }
        WebhookScope.Reach reach = scope.reach(namespace.context().labels(), pod.getMetadata().getLabels());
        if (reach == WebhookScope.Reach.NOT_SENT) {
            // Kept away on purpose (a Helm install's excludedNamespaces, namespaceSelector, objectSelector): a new pod
            // would not be rewritten either, so it is neither reported nor restarted.
            return PodFinding.ignored("the webhook's configuration does not send it to the webhook (" + scope + ")");
        }
        if (PodLifecycle.terminating(pod)) {
            return PodFinding.ignored("the pod is terminating");
        }
        Optional<String> finished = PodLifecycle.finishedPhase(pod);
        if (finished.isPresent()) {
            return PodFinding.ignored("the pod has finished (" + finished.get() + "): the kubelet no longer probes it");
        }
        RewriteResult result = engine.rewrite(pod, namespace.context());
        List<ProbeDecision> broken = result.decisions().stream().filter(ProbeDecision::brokenByMtls).toList();
        if (broken.isEmpty()) {
            return PodFinding.healthy(result.changed() ? "the webhook would change the pod, but no probe is broken"
                    : "no probe is broken by mTLS");
        }
        Set<HandlerKind> kinds = new HashSet<>();
        broken.forEach(d -> kinds.add(d.kind()));
        // A restart helps as soon as one broken probe would be rewritten: probes the webhook leaves broken stay so
        // either way, and the pod created afresh then no longer counts as fixable, so restarts do not repeat.
        boolean fixable = broken.stream().anyMatch(d -> d.action().rewritten());
        // With matchConditions the pod may have been kept away on purpose, and a new one would be too: the audit
        // cannot tell, so it reports the probes but restarts nothing on its own judgement.
        boolean conditional = reach == WebhookScope.Reach.SENT_UNLESS_CONDITIONS_REFUSE;
        Remediation remediation = !namespace.remediationAsked() ? Remediation.NOT_ASKED
                : !fixable ? Remediation.WEBHOOK_WOULD_NOT_FIX
                : conditional ? Remediation.WEBHOOK_MAY_NOT_SEE_IT : Remediation.RESTART_CONTROLLER;
        String why = !fixable ? "the webhook leaves these probes broken too"
                : conditional ? "the webhook would rewrite the pod if its matchConditions, which the operator cannot"
                + " evaluate, send it there"
                : "the pod slipped past the webhook, which would rewrite it now";
        return new PodFinding(PodFinding.Verdict.BROKEN, kinds, remediation, broken, why);
    }
}
