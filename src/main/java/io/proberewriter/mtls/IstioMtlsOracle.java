package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeTarget;
import io.proberewriter.meshes.GoBool;
import io.proberewriter.meshes.IstioSidecar;
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
 * Where a probe is refused and Istio could have rewritten it but will not, the rule also says why not, naming the
 * source of that answer (the pod, the injector's ConfigMap, a setting, or the mesh's era).
 * Pure: every answer comes from the pod, its namespace and the {@link MeshPolicies} snapshot.
 */
public final class IstioMtlsOracle implements MtlsOracle {

    static final String REWRITE_APP_PROBERS = "sidecar.istio.io/rewriteAppHTTPProbers";

    private final MeshPolicies mesh;

    public IstioMtlsOracle(MeshPolicies mesh) {
        this.mesh = mesh;
    }

    /** Istio's own probe rewrite for one probe: whether it happens, and why, in words. */
    private record IstioRewrite(boolean happens, String why) {
    }

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        Pod pod = target.pod();
        int port = target.port();
        NamespaceContext namespaceContext = target.namespace();
        Map<String, String> namespaceLabels = namespaceContext == null ? Map.of() : namespaceContext.labels();
        String namespace = namespaceOf(target);
        IstioSidecar sidecar = IstioSidecar.of(pod, namespace, namespaceLabels,
                namespaceContext != null && namespaceContext.known());
        if (!sidecar.meshed()) {
            return MtlsVerdict.accepts("no sidecar (" + sidecar.why() + ")");
        }
        Optional<String> bypass = InboundInterception.bypassed(pod, port, mesh.declaredPortsOnly());
        if (bypass.isPresent()) {
            return MtlsVerdict.accepts(bypass.get());
        }
        // Once istio-proxy is in the spec, the injector has already rewritten the probes it was going to rewrite
        // (onto /app-health/, which the engine skips): a plain httpGet probe left there was not rewritten.
        Optional<IstioRewrite> rewrite = sidecar.alreadyInjected() ? Optional.empty()
                : istioRewrite(pod, target, namespaceLabels);
        if (rewrite.isPresent() && rewrite.get().happens()) {
            return MtlsVerdict.accepts(rewrite.get().why());
        }
        Map<String, String> labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        MtlsVerdict verdict = PeerAuthenticationResolution.resolve(mesh, namespace, labels, port)
                .or(() -> LegacyPolicyResolution.resolve(mesh, namespace, pod, port))
                .orElseGet(() -> MtlsVerdict.accepts("port " + port
                        + " PERMISSIVE (no PeerAuthentication applies; Istio's default)"));
        if (verdict.rejectsPlaintext() && rewrite.isPresent()) {
            return MtlsVerdict.rejects(verdict.rule() + "; " + rewrite.get().why());
        }
        return verdict;
    }

    /** Empty for probes Istio never rewrites (tcpSocket, exec). */
    private Optional<IstioRewrite> istioRewrite(Pod pod, ProbeTarget target, Map<String, String> namespaceLabels) {
        Probe probe = target.container() == null ? null : target.kind().get(target.container());
        if (probe == null || (probe.getHttpGet() == null && probe.getGrpc() == null)) {
            return Optional.empty();
        }
        String what = probe.getGrpc() != null ? "gRPC" : "HTTP";
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        String value = annotations.get(REWRITE_APP_PROBERS);
        Optional<Boolean> podChoice = GoBool.parse(value);
        if (podChoice.isPresent()) {
            return Optional.of(new IstioRewrite(podChoice.get(), words(podChoice.get(), what)
                    + " (" + REWRITE_APP_PROBERS + ": \"" + value + "\")"));
        }
        MeshPolicies.ProbeRewriteDefault meshDefault = mesh.probeRewrite(IstioSidecar.revision(pod, namespaceLabels));
        String podSays = value == null ? "" : "; " + REWRITE_APP_PROBERS + ": \"" + value + "\" is not a boolean";
        return Optional.of(new IstioRewrite(meshDefault.rewrites(), words(meshDefault.rewrites(), what)
                + " (the mesh default: " + meshDefault.source() + podSays + ")"));
    }

    private static String words(boolean rewrites, String what) {
        return rewrites ? "Istio rewrites this pod's " + what + " probes"
                : "Istio does not rewrite this pod's " + what + " probes";
    }

    private static String namespaceOf(ProbeTarget target) {
        if (target.namespace() != null && target.namespace().name() != null) {
            return target.namespace().name();
        }
        return target.pod().getMetadata() == null ? null : target.pod().getMetadata().getNamespace();
    }
}
