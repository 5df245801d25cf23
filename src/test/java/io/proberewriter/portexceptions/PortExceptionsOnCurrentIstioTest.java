package io.proberewriter.portexceptions;

import io.proberewriter.webhook.IstioCrds;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.function.Consumer;

/**
 * The port exceptions on a mesh of Istio 1.6 or later: PeerAuthentication is served, the v1alpha1 Policy is not, so
 * the resolver reads no Service and the port exceptions watch them for themselves.
 */
@QuarkusTest
@TestProfile(PortExceptionsClusterTest.Profile.class)
@WithKubernetesTestServer(crud = true, setup = PortExceptionsOnCurrentIstioTest.Cluster.class)
class PortExceptionsOnCurrentIstioTest extends PortExceptionsClusterTest {

    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            withAppServiceBeforeStart(new IstioCrds.Current(), server);
        }
    }
}
