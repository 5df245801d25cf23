package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.audit.PodFinding.Remediation;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import java.util.HashSet;
import java.util.List;
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
     */
    public static PodFinding examine(Pod pod, NamespaceView namespace, String ownNamespace, ProbeRewriter engine) {
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
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return PodFinding.ignored("the pod is terminating");
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return PodFinding.ignored("the pod has finished (" + phase + "): the kubelet no longer probes it");
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
        Remediation remediation = !namespace.remediationAsked() ? Remediation.NOT_ASKED
                : fixable ? Remediation.RESTART_CONTROLLER : Remediation.WEBHOOK_WOULD_NOT_FIX;
        String why = fixable ? "the pod slipped past the webhook, which would rewrite it now"
                : "the webhook leaves these probes broken too";
        return new PodFinding(PodFinding.Verdict.BROKEN, kinds, remediation, broken, why);
    }
}
