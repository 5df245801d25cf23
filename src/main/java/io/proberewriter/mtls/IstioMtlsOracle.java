package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.HookKind;
import io.proberewriter.engine.ProbeTarget;
import io.proberewriter.meshes.GoBool;
import io.proberewriter.meshes.IstioSidecar;
import io.proberewriter.meshes.PodPorts;
import io.proberewriter.messages.Excerpt;
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
        return forPod(target.pod(), target.namespace()).check(target);
    }

    /** The pod's sidecar, its ports and its interception annotations, worked out once for all its probes. */
    @Override
    public MtlsOracle forPod(Pod pod, NamespaceContext namespaceContext) {
        return new PodOracle(pod, namespaceContext);
    }

    private final class PodOracle implements MtlsOracle {

        private final Pod pod;
        private final Map<String, String> namespaceLabels;
        private final String namespace;
        private final IstioSidecar sidecar;
        private final PodPorts ports;
        private final InboundInterception interception;
        private final Map<String, String> labels;
        private final Map<String, String> annotations;

        PodOracle(Pod pod, NamespaceContext namespaceContext) {
            this.pod = pod;
            this.namespaceLabels = namespaceContext == null ? Map.of() : namespaceContext.labels();
            this.namespace = namespaceContext != null && namespaceContext.name() != null ? namespaceContext.name()
                    : pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
            this.sidecar = IstioSidecar.of(pod, namespace, namespaceLabels,
                    namespaceContext != null && namespaceContext.known());
            this.ports = PodPorts.of(pod);
            this.interception = new InboundInterception(pod, ports, mesh.declaredPortsOnly());
            this.labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                    ? Map.of() : pod.getMetadata().getLabels();
            this.annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                    ? Map.of() : pod.getMetadata().getAnnotations();
        }

        @Override
        public MtlsVerdict check(ProbeTarget target) {
            int port = target.port();
            if (!sidecar.meshed()) {
                return MtlsVerdict.accepts("no sidecar (" + sidecar.why() + ")");
            }
            Optional<String> bypass = interception.bypassed(port);
            if (bypass.isPresent()) {
                return MtlsVerdict.accepts(bypass.get());
            }
            // Once istio-proxy is in the spec, the injector has already rewritten the probes it was going to rewrite
            // (onto /app-health/, which the engine skips): a plain httpGet probe left there was not rewritten.
            Optional<IstioRewrite> rewrite = sidecar.alreadyInjected() ? Optional.empty() : istioRewrite(target);
            if (rewrite.isPresent() && rewrite.get().happens()) {
                return MtlsVerdict.accepts(rewrite.get().why());
            }
            MtlsVerdict verdict = PeerAuthenticationResolution.resolve(mesh, namespace, labels, port)
                    .or(() -> LegacyPolicyResolution.resolve(mesh, namespace, labels, ports, port))
                    .orElseGet(() -> MtlsVerdict.accepts("port " + port
                            + " PERMISSIVE (no PeerAuthentication applies; Istio's default)"));
            if (verdict.rejectsPlaintext() && rewrite.isPresent()) {
                return MtlsVerdict.rejects(verdict.rule() + "; " + rewrite.get().why());
            }
            return verdict;
        }

        /**
         * Empty for handlers Istio never rewrites (exec), and for lifecycle hooks: Istio rewrites those only since
         * 1.25, and the resolver cannot tell the version from the pod. A hook left to a mesh that does not rewrite it
         * fails (a failed postStart kills the container), while one the engine rewrites works whatever Istio does:
         * the prober calls the app over loopback, and a hook Istio has already moved to its agent's port is skipped.
         */
        private Optional<IstioRewrite> istioRewrite(ProbeTarget target) {
            if (target.kind() instanceof HookKind) {
                return Optional.empty();
            }
            Probe probe = target.container() == null ? null : target.kind().get(target.container());
            if (probe == null || (probe.getHttpGet() == null && probe.getGrpc() == null
                    && probe.getTcpSocket() == null)) {
                return Optional.empty();
            }
            String what = probe.getGrpc() != null ? "gRPC" : probe.getTcpSocket() != null ? "TCP" : "HTTP";
            String value = annotations.get(REWRITE_APP_PROBERS);
            Optional<Boolean> podChoice = GoBool.parse(value);
            if (podChoice.isPresent()) {
                return Optional.of(new IstioRewrite(podChoice.get(), words(podChoice.get(), what)
                        + " (" + REWRITE_APP_PROBERS + ": \"" + value + "\")"));
            }
            MeshPolicies.ProbeRewriteDefault meshDefault =
                    mesh.probeRewrite(IstioSidecar.revision(pod, namespaceLabels));
            String podSays = value == null ? ""
                    : "; " + REWRITE_APP_PROBERS + ": \"" + Excerpt.of(value) + "\" is not a boolean";
            return Optional.of(new IstioRewrite(meshDefault.rewrites(), words(meshDefault.rewrites(), what)
                    + " (the mesh default: " + meshDefault.source() + podSays + ")"));
        }
    }

    private static String words(boolean rewrites, String what) {
        return rewrites ? "Istio rewrites this pod's " + what + " probes"
                : "Istio does not rewrite this pod's " + what + " probes";
    }
}
