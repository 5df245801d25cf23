package io.proberewriter.mtls;

import io.proberewriter.engine.MtlsVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's composition of PeerAuthentications for one workload port (pilot's {@code ComposePeerAuthentication}):
 * one policy per level — the oldest where several apply — and the narrowest level that sets a mode wins:
 * port-level of the workload policy, the workload policy, the namespace policy, the mesh policy, then PERMISSIVE.
 * UNSET at a level inherits from the level above.
 */
final class PeerAuthenticationResolution {

    private PeerAuthenticationResolution() {
    }

    /** Empty when no PeerAuthentication applies to the pod: the caller falls back to the v1alpha1 API. */
    static Optional<MtlsVerdict> resolve(MeshPolicies mesh, String namespace, Map<String, String> podLabels, int port) {
        Comparator<PeerAuthenticationPolicy> oldestFirst =
                Comparator.comparing(PeerAuthenticationPolicy::id, PolicyIdentity.OLDEST_FIRST);
        String root = mesh.rootNamespace();
        // Selectors in the root namespace are ignored by Istio: the root namespace holds mesh-wide policy only.
        Optional<PeerAuthenticationPolicy> meshPolicy = mesh.peerAuthentications(root).stream()
                .filter(p -> !p.hasSelector())
                .min(oldestFirst);
        List<PeerAuthenticationPolicy> own = root.equals(namespace) ? List.of() : mesh.peerAuthentications(namespace);
        Optional<PeerAuthenticationPolicy> namespacePolicy = own.stream()
                .filter(p -> !p.hasSelector())
                .min(oldestFirst);
        Optional<PeerAuthenticationPolicy> workloadPolicy = own.stream()
                .filter(p -> p.hasSelector() && podLabels.entrySet().containsAll(p.selector().entrySet()))
                .min(oldestFirst);
        if (meshPolicy.isEmpty() && namespacePolicy.isEmpty() && workloadPolicy.isEmpty()) {
            return Optional.empty();
        }

        List<String> unset = new ArrayList<>();
        if (workloadPolicy.isPresent()) {
            PeerAuthenticationPolicy w = workloadPolicy.get();
            MtlsMode portMode = w.portLevel().get(port);
            if (portMode != null && portMode != MtlsMode.UNSET) {
                return Optional.of(verdict(port, portMode, "by port-level mTLS of PeerAuthentication "
                        + w.id().display(), unset));
            }
            if (portMode == MtlsMode.UNSET) {
                unset.add("port-level mTLS of PeerAuthentication " + w.id().display());
            }
            if (w.mode() != MtlsMode.UNSET) {
                return Optional.of(verdict(port, w.mode(), "by PeerAuthentication " + w.id().display(), unset));
            }
            unset.add("PeerAuthentication " + w.id().display());
        }
        if (namespacePolicy.isPresent()) {
            PeerAuthenticationPolicy n = namespacePolicy.get();
            if (n.mode() != MtlsMode.UNSET) {
                return Optional.of(verdict(port, n.mode(), "by PeerAuthentication " + n.id().display(), unset));
            }
            unset.add("PeerAuthentication " + n.id().display());
        }
        if (meshPolicy.isPresent()) {
            PeerAuthenticationPolicy m = meshPolicy.get();
            if (m.mode() != MtlsMode.UNSET) {
                return Optional.of(verdict(port, m.mode(), "by PeerAuthentication " + m.id().display() + " (mesh)",
                        unset));
            }
            unset.add("PeerAuthentication " + m.id().display() + " (mesh)");
        }
        return Optional.of(verdict(port, MtlsMode.PERMISSIVE, "(Istio's default)", unset));
    }

    private static MtlsVerdict verdict(int port, MtlsMode mode, String source, List<String> unset) {
        String rule = "port " + port + " " + mode + " " + source
                + (unset.isEmpty() ? "" : "; UNSET in " + String.join(", ", unset));
        return mode.rejectsPlaintext() ? MtlsVerdict.rejects(rule) : MtlsVerdict.accepts(rule);
    }
}
