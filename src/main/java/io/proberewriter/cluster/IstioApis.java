package io.proberewriter.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.proberewriter.mtls.IstioKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which of Istio's authentication kinds the cluster serves, asked once through API discovery. A missing CRD is
 * normal (Istio 1.6+ dropped v1alpha1 Policy and MeshPolicy; clusters without Istio have none of them): the kind
 * is simply absent and nothing watches it.
 *
 * @param peerAuthentication the PeerAuthentication version to watch: v1, or v1beta1 when only that is served
 *                           (Istio before 1.22); empty when neither is
 * @param policy             whether {@code authentication.istio.io/v1alpha1} Policy is served
 * @param meshPolicy         whether {@code authentication.istio.io/v1alpha1} MeshPolicy is served
 */
public record IstioApis(Optional<IstioKind> peerAuthentication, boolean policy, boolean meshPolicy) {

    /** Nothing served: no Istio, or a cluster too old for PeerAuthentication without v1alpha1 either. */
    public static IstioApis none() {
        return new IstioApis(Optional.empty(), false, false);
    }

    /** Asks the API server; throws what the client throws when it cannot be asked. */
    static IstioApis discover(KubernetesClient client) {
        Optional<IstioKind> peer = served(client, IstioKind.PEER_AUTHENTICATION_V1)
                ? Optional.of(IstioKind.PEER_AUTHENTICATION_V1)
                : served(client, IstioKind.PEER_AUTHENTICATION_V1BETA1)
                        ? Optional.of(IstioKind.PEER_AUTHENTICATION_V1BETA1) : Optional.empty();
        return new IstioApis(peer, served(client, IstioKind.POLICY), served(client, IstioKind.MESH_POLICY));
    }

    /**
     * Whether any of Istio's authentication kinds is served, which is what {@code auto} looks for: PeerAuthentication
     * on Istio 1.5 and later, the v1alpha1 Policy or MeshPolicy on the seeds' Istio 0.8 to 1.4.
     */
    public boolean istioPresent() {
        return peerAuthentication.isPresent() || policy || meshPolicy;
    }

    /** Only the v1alpha1 kinds: Istio 1.4 or older, from before Istio rewrote probes itself. */
    public boolean legacyOnly() {
        return peerAuthentication.isEmpty() && (policy || meshPolicy);
    }

    /**
     * Whether the resolver needs Services: only a v1alpha1 Policy's {@code targets} name one (Istio 1.5 and older).
     * Every later mesh would cache every Service of the cluster for nothing, and rebuild its snapshot on each change
     * to one (docs/benchmarks.md, "A mesh of many namespaces").
     */
    public boolean needsServices() {
        return policy;
    }

    /** The kinds to watch, in the order they are listed in logs. */
    public List<IstioKind> watched() {
        List<IstioKind> kinds = new ArrayList<>();
        peerAuthentication.ifPresent(kinds::add);
        if (policy) {
            kinds.add(IstioKind.POLICY);
        }
        if (meshPolicy) {
            kinds.add(IstioKind.MESH_POLICY);
        }
        return kinds;
    }

    /** The client's handle on a kind, for reading and writing it as a generic resource. */
    public static ResourceDefinitionContext context(IstioKind kind) {
        return new ResourceDefinitionContext.Builder().withGroup(kind.group()).withVersion(kind.version())
                .withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(kind.namespaced()).build();
    }

    private static boolean served(KubernetesClient client, IstioKind kind) {
        return client.supports(kind.apiVersion(), kind.kind());
    }
}
