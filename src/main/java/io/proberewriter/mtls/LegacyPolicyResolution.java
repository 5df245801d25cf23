package io.proberewriter.mtls;

import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.meshes.PodPorts;
import io.proberewriter.mtls.LegacyAuthenticationPolicy.PortSelector;
import io.proberewriter.mtls.LegacyAuthenticationPolicy.Target;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The v1alpha1 authentication API of Istio 0.8–1.5, as the seeds use it: the narrowest policy wins — a Policy
 * targeting a Service that routes to this port, then the namespace's Policy {@code default}, then the
 * MeshPolicy {@code default}, then the global switch {@code global.mtls.enabled}.
 *
 * <p>A target is matched through the Services in the snapshot: the Service must be in the pod's namespace and
 * select the pod, and the target's ports (service port numbers or names) must lead to the probed container port.
 * A target without ports covers every port the Service routes to the pod. Where Istio picked one of several
 * matching service-specific policies at random, this picks a port-specific target over a whole-service one, then
 * the oldest policy, so that the answer is stable.
 */
final class LegacyPolicyResolution {

    private LegacyPolicyResolution() {
    }

    private record Match(LegacyAuthenticationPolicy policy, String target, boolean portSpecific) {
    }

    /** Empty when no v1alpha1 policy applies and the global switch is off. */
    static Optional<MtlsVerdict> resolve(MeshPolicies mesh, String namespace, Map<String, String> podLabels,
                                         PodPorts pod, int port) {

        List<LegacyAuthenticationPolicy> own = mesh.legacyPolicies(namespace);
        Optional<Match> serviceSpecific = own.stream()
                .filter(p -> !p.targets().isEmpty())
                .map(p -> match(mesh, p, namespace, pod, podLabels, port))
                .flatMap(Optional::stream)
                .min(Comparator.comparing(Match::portSpecific).reversed()
                        .thenComparing(m -> m.policy().id(), PolicyIdentity.OLDEST_FIRST));
        if (serviceSpecific.isPresent()) {
            Match m = serviceSpecific.get();
            return Optional.of(verdict(port, m.policy(), "targets " + m.target()));
        }

        Optional<LegacyAuthenticationPolicy> namespaceWide = own.stream()
                .filter(p -> p.targets().isEmpty() && LegacyAuthenticationPolicy.DEFAULT_NAME.equals(p.id().name()))
                .findFirst();
        if (namespaceWide.isPresent()) {
            return Optional.of(verdict(port, namespaceWide.get(), "namespace-wide"));
        }

        Optional<LegacyAuthenticationPolicy> meshWide = mesh.meshWideLegacyPolicies().stream()
                .filter(p -> LegacyAuthenticationPolicy.DEFAULT_NAME.equals(p.id().name()))
                .findFirst();
        if (meshWide.isPresent()) {
            return Optional.of(verdict(port, meshWide.get(), "mesh-wide"));
        }

        if (mesh.legacyGlobalMtls().isPresent()) {
            return Optional.of(MtlsVerdict.rejects("port " + port + " under mTLS by the global switch ("
                    + mesh.legacyGlobalMtls().get() + ", no v1alpha1 policy applies)"));
        }
        return Optional.empty();
    }

    private static Optional<Match> match(MeshPolicies mesh, LegacyAuthenticationPolicy policy, String namespace,
                                         PodPorts pod, Map<String, String> podLabels, int port) {
        Optional<Match> best = Optional.empty();
        for (Target target : policy.targets()) {
            Optional<KnownService> service = mesh.service(namespace, target.service()).filter(s -> s.selects(podLabels));
            if (service.isEmpty()) {
                continue;
            }
            KnownService s = service.get();
            if (target.ports().isEmpty()) {
                boolean routes = s.ports().stream().anyMatch(p -> s.containerPort(p, pod).orElse(-1) == port);
                if (routes && best.isEmpty()) {
                    best = Optional.of(new Match(policy, "service " + s.name(), false));
                }
                continue;
            }
            for (PortSelector selector : target.ports()) {
                boolean routes = s.ports().stream()
                        .filter(p -> selector.number() != null ? selector.number() == p.port()
                                : selector.name().equals(p.name()))
                        .anyMatch(p -> s.containerPort(p, pod).orElse(-1) == port);
                if (routes) {
                    return Optional.of(new Match(policy, "service " + s.name() + " port " + selector.display(), true));
                }
            }
        }
        return best;
    }

    private static MtlsVerdict verdict(int port, LegacyAuthenticationPolicy policy, String scope) {
        String how = switch (policy.effect()) {
            case STRICT -> "under mTLS by " + policy.kindAndName() + " (v1alpha1 peers: mtls, ";
            case PERMISSIVE -> "PERMISSIVE by " + policy.kindAndName() + " (v1alpha1 peers: mtls PERMISSIVE, ";
            default -> "without mTLS by " + policy.kindAndName() + " (v1alpha1 without peers, ";
        };
        String rule = "port " + port + " " + how + scope + ")";
        return policy.effect().rejectsPlaintext() ? MtlsVerdict.rejects(rule) : MtlsVerdict.accepts(rule);
    }
}
