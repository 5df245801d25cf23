package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a handler recorded in {@code probe-rewriter.io/original-probes} is still what probe-rewriter made of it, or
 * was edited since (a manifest in git changed back to an httpGet on the mTLS port, a pod recreated from
 * {@code kubectl get -o yaml} after such an edit). Only an edit makes the record stale: whatever the settings are
 * now, since the record may have been written under others (the CLI in port mode, the webhook in exec mode), and
 * whatever another webhook did to the engine's output afterwards.
 */
public final class EngineOutput {

    private EngineOutput() {
    }

    /**
     * The same reading without the container's settings, for those who rebuild a pod's probes from the record before
     * any setting is resolved (the operator's port exceptions): a probe kept on its health port, whose record equals
     * it, is told apart by the caller.
     */
    public static boolean rewriteOf(Probe now, Probe recorded, Container container) {
        return madeFrom(now, () -> Optional.ofNullable(recorded), null, container);
    }

    /**
     * @param now      the handler in the pod
     * @param recorded what the record holds for it, the user's original: decoded only when the cheaper rules have
     *                 not decided already, since a pod the CLI rewrote brings a record for every probe
     * @param own      the container's settings now, if any
     */
    static boolean madeFrom(Probe now, Supplier<Optional<Probe>> recorded, ContainerSettings own,
                            Container container) {
        // Exec mode: the prober, curl or wget, whichever style made it (only the program: flags change by release).
        if (ExecCommandStyle.runsOneOf(now)) {
            return true;
        }
        HTTPGetAction get = now.getHttpGet();
        if (get == null) {
            return false;
        }
        // Istio's injector, called before this webhook, moves httpGet probes (port mode's included) to its agent.
        if (get.getPath() != null && get.getPath().startsWith(ProbeRewriter.ISTIO_APP_HEALTH_PATH)) {
            return true;
        }
        if (own != null && own.probesHealthPort(now, container)) {
            return true;
        }
        Optional<Probe> original = recorded.get();
        return original.isPresent() && movedToAnotherPort(original.get().getHttpGet(), get, container);
    }

    /**
     * Port mode's output, whatever the mode is now: the recorded request unchanged but for its port, which differs.
     * Compared as the kubelet requests them (its path rules, scheme HTTP by default), since a record the CLI wrote
     * holds the manifest's probe while the pod holds the API server's, defaults filled in.
     */
    private static boolean movedToAnotherPort(HTTPGetAction recorded, HTTPGetAction now, Container container) {
        if (recorded == null) {
            return false;
        }
        PortResolution was = PortResolution.of(recorded.getPort(), container);
        PortResolution is = PortResolution.of(now.getPort(), container);
        return was.ok() && is.ok() && was.port() != is.port()
                && Objects.equals(blankAsNull(recorded.getHost()), blankAsNull(now.getHost()))
                && LocalHttpCheck.normalizePath(recorded.getPath())
                        .equals(LocalHttpCheck.normalizePath(now.getPath()))
                && schemeOf(recorded).equals(schemeOf(now))
                && headers(recorded).equals(headers(now));
    }

    private static String blankAsNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String schemeOf(HTTPGetAction get) {
        return get.getScheme() == null || get.getScheme().isEmpty() ? "HTTP" : get.getScheme();
    }

    private static List<HTTPHeader> headers(HTTPGetAction get) {
        return get.getHttpHeaders() == null ? List.of() : get.getHttpHeaders();
    }
}
