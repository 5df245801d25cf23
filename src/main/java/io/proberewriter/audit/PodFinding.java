package io.proberewriter.audit;

import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.HandlerKind;
import java.util.List;
import java.util.Set;

/**
 * What the audit concluded about one live pod.
 *
 * @param verdict     whether the pod is looked at and, if so, whether mTLS breaks any of its probes
 * @param brokenKinds the probe and hook kinds mTLS breaks (empty unless {@link Verdict#BROKEN})
 * @param remediation what a restart of its controller would achieve, and whether the namespace asks for one
 * @param broken      the engine's decisions on the broken probes, for logs
 * @param why         a short explanation, for logs
 */
public record PodFinding(Verdict verdict, Set<HandlerKind> brokenKinds, Remediation remediation,
                         List<ProbeDecision> broken, String why) {

    public enum Verdict {
        /**
         * Not the audit's business: namespace not opted in, our own namespace, a pod the webhook's configuration does
         * not send to it, a pod on its way out.
         */
        IGNORED,
        /** No probe is broken by mTLS, including pods the webhook already rewrote. */
        HEALTHY,
        /** At least one probe is refused by mTLS as the pod runs now. */
        BROKEN
    }

    public enum Remediation {
        /** Nothing is broken, or the namespace does not carry {@code probe-rewriter.io/remediate: "true"}. */
        NOT_ASKED,
        /** Asked, but the webhook would leave the probes broken (mode off, an invalid annotation…): a restart is useless. */
        WEBHOOK_WOULD_NOT_FIX,
        /**
         * Asked, and the webhook would rewrite a broken probe, but its configuration has matchConditions, which the
         * operator cannot evaluate: a pod created afresh may not be sent to it, so a restart may be useless forever.
         */
        WEBHOOK_MAY_NOT_SEE_IT,
        /** Asked, and the webhook would rewrite at least one broken probe of a pod created afresh. */
        RESTART_CONTROLLER
    }

    public PodFinding {
        brokenKinds = Set.copyOf(brokenKinds);
        broken = List.copyOf(broken);
    }

    static PodFinding ignored(String why) {
        return new PodFinding(Verdict.IGNORED, Set.of(), Remediation.NOT_ASKED, List.of(), why);
    }

    static PodFinding healthy(String why) {
        return new PodFinding(Verdict.HEALTHY, Set.of(), Remediation.NOT_ASKED, List.of(), why);
    }

    public boolean isBroken() {
        return verdict == Verdict.BROKEN;
    }

    /** The broken kinds in liveness, readiness, startup, postStart, preStop order: Events are recorded in that order. */
    public List<HandlerKind> brokenKindsInOrder() {
        return HandlerKind.all().stream().filter(brokenKinds::contains).toList();
    }
}
