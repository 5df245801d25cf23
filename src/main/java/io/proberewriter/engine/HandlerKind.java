package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;

/**
 * What the kubelet sends to a container from outside, and so what mTLS can break: its three probes
 * ({@link ProbeKind}) and its two lifecycle hooks ({@link HookKind}). The engine decides each the same way; a hook
 * is read as a probe with a handler only, so that one set of rules covers both.
 */
public sealed interface HandlerKind permits ProbeKind, HookKind {

    /** Everything the kubelet sends to a container, in the order decisions are listed: probes, then hooks. */
    static List<HandlerKind> all() {
        return List.of(ProbeKind.LIVENESS, ProbeKind.READINESS, ProbeKind.STARTUP, HookKind.POST_START,
                HookKind.PRE_STOP);
    }

    /** The word used in {@code original-probes} keys, decisions and messages ({@code liveness}, {@code preStop}). */
    String word();

    /** Where the handler sits below the container, as JSON pointer segments ({@code livenessProbe}, {@code lifecycle/preStop}). */
    String pointer();

    /** The handler, or null when the container has none; a hook comes back as a probe carrying only its handler. */
    Probe get(Container container);

    /** Puts {@code handler} in place: a probe as it is, a hook from the probe's handler fields. */
    void set(Container container, Probe handler);

    /** {@code liveness probe}, {@code preStop hook}: how a message names it. */
    String describe();
}
