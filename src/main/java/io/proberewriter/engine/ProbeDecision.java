package io.proberewriter.engine;

import java.util.OptionalInt;

/**
 * The verdict on one probe.
 *
 * @param container     the container that owns the probe
 * @param kind          liveness, readiness or startup, or a lifecycle hook (postStart, preStop)
 * @param action        what was done
 * @param brokenByMtls  whether the probe, as it came in, would be refused by mTLS: the kubelet's plaintext
 *                      request to a port that rejects it. True for rewritten probes and for broken probes
 *                      left alone (mode off, an invalid annotation, a port that cannot be resolved), which is
 *                      what {@code analyze} and the webhook's warnings report.
 * @param reason        why, in words, naming the rule or setting that decided
 * @param healthPort    in port mode, the plaintext health port (a number, even where the probe names it) the probe
 *                      now targets, moved there or already on it: the port the mesh must let the kubelet through
 */
public record ProbeDecision(ContainerRef container, HandlerKind kind, Action action, boolean brokenByMtls,
                            String reason, OptionalInt healthPort) {

    public ProbeDecision(ContainerRef container, HandlerKind kind, Action action, boolean brokenByMtls, String reason) {
        this(container, kind, action, brokenByMtls, reason, OptionalInt.empty());
    }

    /** The key used in {@code probe-rewriter.io/original-probes}: {@code "<container>/<kind>"}. */
    public String key() {
        return probeKey(container.name(), kind);
    }

    public static String probeKey(String container, HandlerKind kind) {
        return container + "/" + kind.word();
    }

    /** Broken by mTLS and still broken after the rewrite. */
    public boolean staysBroken() {
        return brokenByMtls && !action.rewritten();
    }

    @Override
    public String toString() {
        return key() + ": " + action.label() + (brokenByMtls ? " [mtls]" : "") + " - " + reason;
    }
}
