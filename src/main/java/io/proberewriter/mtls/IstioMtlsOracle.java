package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.ProbeTarget;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, as Istio would, whether the kubelet's plaintext probe request to a port is refused. In order, the
 * first that answers decides:
 * <ol>
 *   <li>no sidecar (none injected, none coming, host network): nothing refuses plaintext;</li>
 *   <li>the port is not captured by the sidecar's iptables rules: the request bypasses the sidecar;</li>
 *   <li>Istio will rewrite the pod's HTTP and gRPC probes itself: the kubelet then talks to the pilot-agent, which
 *       probes the application over localhost;</li>
 *   <li>PeerAuthentication, where one applies to the pod (the newer API wins over v1alpha1, as in Istio 1.5);</li>
 *   <li>the v1alpha1 Policy/MeshPolicy and the global switch of the seeds;</li>
 *   <li>Istio's default, PERMISSIVE: plaintext accepted.</li>
 * </ol>
 * Pure: every answer comes from the pod, its namespace and the {@link MeshPolicies} snapshot.
 */
public final class IstioMtlsOracle implements MtlsOracle {

    static final String REWRITE_APP_PROBERS = "sidecar.istio.io/rewriteAppHTTPProbers";

    private final MeshPolicies mesh;

    public IstioMtlsOracle(MeshPolicies mesh) {
        this.mesh = mesh;
    }

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        Pod pod = target.pod();
        int port = target.port();
        SidecarInjection sidecar = SidecarInjection.of(pod, target.namespace());
        if (!sidecar.meshed()) {
            return MtlsVerdict.accepts("no sidecar (" + sidecar.why() + ")");
        }
        Optional<String> bypass = InboundInterception.bypassed(pod, port);
        if (bypass.isPresent()) {
            return MtlsVerdict.accepts(bypass.get());
        }
        // Once istio-proxy is in the spec, the injector has already rewritten the probes it was going to rewrite
        // (onto /app-health/, which the engine skips): a plain httpGet probe left there was not rewritten.
        if (!sidecar.alreadyInjected()) {
            Optional<String> rewrite = istioRewrite(pod, target);
            if (rewrite.isPresent()) {
                return MtlsVerdict.accepts(rewrite.get());
            }
        }
        String namespace = namespaceOf(target);
        Map<String, String> labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        return PeerAuthenticationResolution.resolve(mesh, namespace, labels, port)
                .or(() -> LegacyPolicyResolution.resolve(mesh, namespace, pod, port))
                .orElseGet(() -> MtlsVerdict.accepts("port " + port
                        + " PERMISSIVE (no PeerAuthentication applies; Istio's default)"));
    }

    private Optional<String> istioRewrite(Pod pod, ProbeTarget target) {
        Probe probe = target.container() == null ? null : target.kind().get(target.container());
        if (probe == null || (probe.getHttpGet() == null && probe.getGrpc() == null)) {
            return Optional.empty();
        }
        String what = probe.getGrpc() != null ? "gRPC" : "HTTP";
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        String value = annotations.get(REWRITE_APP_PROBERS);
        Optional<Boolean> podChoice = Annotations.parseGoBool(value);
        if (podChoice.isPresent()) {
            return podChoice.get() ? Optional.of("Istio rewrites this pod's " + what + " probes ("
                    + REWRITE_APP_PROBERS + ": \"" + value + "\")") : Optional.empty();
        }
        if (!mesh.rewriteAppProbesByDefault()) {
            return Optional.empty();
        }
        String why = value == null ? "the mesh default; the pod does not set " + REWRITE_APP_PROBERS
                : "the mesh default; " + REWRITE_APP_PROBERS + ": \"" + value + "\" is not a boolean";
        return Optional.of("Istio rewrites this pod's " + what + " probes (" + why + ")");
    }

    private static String namespaceOf(ProbeTarget target) {
        if (target.namespace() != null && target.namespace().name() != null) {
            return target.namespace().name();
        }
        return target.pod().getMetadata() == null ? null : target.pod().getMetadata().getNamespace();
    }
}
