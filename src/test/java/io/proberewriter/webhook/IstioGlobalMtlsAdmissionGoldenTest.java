package io.proberewriter.webhook;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The {@code --mtls istio --istio-global-mtls} golden cases: the webhook with Istio 0.8's global mTLS on. */
@QuarkusTest
@TestProfile(IstioGoldenCases.GlobalMtlsProfile.class)
@WithKubernetesTestServer(crud = true, setup = IstioCrds.class)
@QuarkusTestResource(ServingCertificates.class)
class IstioGlobalMtlsAdmissionGoldenTest extends IstioGoldenCases {

    @Override
    IstioResolverProfile profile() {
        return new GlobalMtlsProfile();
    }
}
