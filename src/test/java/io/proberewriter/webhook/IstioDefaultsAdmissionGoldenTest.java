package io.proberewriter.webhook;

import io.proberewriter.golden.GoldenCase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The golden cases the CLI runs with istio and no mesh flags, through the webhook with nothing configured, on a
 * cluster that serves PeerAuthentication as well as the v1alpha1 kinds: auto picks istio, and Istio's probe rewrite
 * comes from the injector's ConfigMap or the mesh's era, as in the CLI. Cases without PeerAuthentication run on
 * the older cluster of {@link LegacyIstioAdmissionGoldenTest}.
 */
@QuarkusTest
@TestProfile(IstioGoldenCases.DefaultsProfile.class)
@WithKubernetesTestServer(crud = true, setup = IstioCrds.class)
@QuarkusTestResource(ServingCertificates.class)
class IstioDefaultsAdmissionGoldenTest extends IstioGoldenCases {

    @Override
    IstioResolverProfile profile() {
        return new DefaultsProfile();
    }

    @Override
    boolean runs(GoldenCase c) {
        return c.flag("--mtls") == null && settingsMatch(c) && c.holdsKind("PeerAuthentication");
    }
}
