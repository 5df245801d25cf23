package io.proberewriter.webhook;

import io.proberewriter.cluster.IstioApis;
import io.proberewriter.cluster.MockClusterResolver;
import io.proberewriter.mtls.IstioKind;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Istio's authentication CRDs in the mock API server before the app starts, as an Istio 1.5-era cluster would have
 * them: PeerAuthentication v1 and the v1alpha1 Policy and MeshPolicy. The mock serves API discovery for the CRDs
 * it holds, which is what the webhook asks at startup.
 */
public class IstioCrds implements Consumer<KubernetesServer> {

    @Override
    public void accept(KubernetesServer server) {
        for (IstioKind kind : kinds()) {
            server.getClient().apiextensions().v1().customResourceDefinitions().resource(MockClusterResolver.crd(kind))
                    .create();
        }
    }

    public List<IstioKind> kinds() {
        return List.of(IstioKind.PEER_AUTHENTICATION_V1, IstioKind.POLICY, IstioKind.MESH_POLICY);
    }

    /** A cluster of Istio 1.6 or later, as most are: PeerAuthentication v1 alone. */
    public static class Current extends IstioCrds {
        @Override
        public List<IstioKind> kinds() {
            return List.of(IstioKind.PEER_AUTHENTICATION_V1);
        }
    }

    /** An Istio 0.8 to 1.4 cluster, the seeds' own: the v1alpha1 Policy and MeshPolicy, no PeerAuthentication. */
    public static class Legacy extends IstioCrds {
        @Override
        public List<IstioKind> kinds() {
            return List.of(IstioKind.POLICY, IstioKind.MESH_POLICY);
        }
    }
}
