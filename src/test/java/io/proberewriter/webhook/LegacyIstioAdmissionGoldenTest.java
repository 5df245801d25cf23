package io.proberewriter.webhook;

import io.proberewriter.golden.GoldenCase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.Optional;

/**
 * The seeds' own scenario through the webhook: a cluster of Istio 1.4 or older, serving only the v1alpha1 Policy and
 * MeshPolicy, and nothing configured. auto picks istio from those kinds, the cluster's era turns Istio's own probe
 * rewrite off, and the seeds' Sample 1 and 2 are rewritten while the Suggested Resolution is left alone, each with
 * the objects of its case (Service, policies, the mesh config) in the mock API server.
 */
@QuarkusTest
@TestProfile(IstioAdmissionGoldenTest.DefaultsProfile.class)
@WithKubernetesTestServer(crud = true, setup = IstioCrds.Legacy.class)
@QuarkusTestResource(ServingCertificates.class)
class LegacyIstioAdmissionGoldenTest extends IstioAdmissionGoldenTest {

    @Override
    Optional<Boolean> rewritesProbes() {
        return Optional.empty();
    }

    @Override
    boolean runs(GoldenCase c) {
        return c.flag("--mtls") == null && settingsMatch(c) && !c.holdsKind("PeerAuthentication");
    }
}
