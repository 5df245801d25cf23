package io.proberewriter.portexceptions;

import io.proberewriter.webhook.IstioCrds;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.function.Consumer;

/** The port exceptions on an Istio 1.5-era mesh: PeerAuthentication and the v1alpha1 Policy and MeshPolicy. */
@QuarkusTest
@TestProfile(PortExceptionsClusterTest.Profile.class)
@WithKubernetesTestServer(crud = true, setup = PortExceptionsOnIstio15Test.Cluster.class)
class PortExceptionsOnIstio15Test extends PortExceptionsClusterTest {

    public static class Cluster implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            withAppServiceBeforeStart(new IstioCrds(), server);
        }
    }
}
