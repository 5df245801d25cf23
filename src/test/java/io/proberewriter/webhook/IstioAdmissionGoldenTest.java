package io.proberewriter.webhook;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The {@code --mtls istio --istio-rewrites-probes false} golden cases: a current cluster, Istio's rewrite off. */
@QuarkusTest
@TestProfile(IstioGoldenCases.IstioResolverProfile.class)
@WithKubernetesTestServer(crud = true, setup = IstioCrds.class)
@QuarkusTestResource(ServingCertificates.class)
class IstioAdmissionGoldenTest extends IstioGoldenCases {

    @Override
    IstioResolverProfile profile() {
        return new IstioResolverProfile();
    }
}
