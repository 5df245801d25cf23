package io.proberewriter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MtlsResolver;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** How the webhook picks its mTLS resolver from the configuration and what the cluster serves. */
class MtlsResolverChoiceTest {

    private static final Supplier<IstioApis> UNREACHABLE = () -> {
        throw new IllegalStateException("connection refused");
    };
    private static final Supplier<IstioApis> NOT_ASKED = () -> {
        throw new AssertionError("discovery must not be asked");
    };

    @Test
    void autoChoosesIstioWhenPeerAuthenticationIsServed() {
        IstioApis apis = new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false);
        MtlsResolverChoice choice = MtlsResolverChoice.choose(MtlsResolver.AUTO, true, () -> apis);
        assertEquals(MtlsResolver.ISTIO, choice.resolver());
        assertEquals(List.of(IstioKind.PEER_AUTHENTICATION_V1), choice.apis().watched());
        assertFalse(choice.apis().needsServices(), "no v1alpha1 target can name a Service");
    }

    @Test
    void autoChoosesIstioOnTheSeedsIstioToo() {
        // Istio 0.8 to 1.4: only the v1alpha1 Policy and MeshPolicy; a mesh from before Istio rewrote probes.
        IstioApis legacyOnly = new IstioApis(Optional.empty(), true, true);
        MtlsResolverChoice choice = MtlsResolverChoice.choose(MtlsResolver.AUTO, true, () -> legacyOnly);
        assertEquals(MtlsResolver.ISTIO, choice.resolver());
        assertTrue(legacyOnly.legacyOnly());
        assertEquals(List.of(IstioKind.POLICY, IstioKind.MESH_POLICY), choice.apis().watched());
        assertTrue(choice.apis().needsServices(), "a v1alpha1 Policy's targets name Services");
        assertFalse(new IstioApis(Optional.empty(), false, true).needsServices(), "a MeshPolicy names none");
        assertTrue(choice.reason().contains("v1alpha1"), choice.reason());
        assertFalse(new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), true, true).legacyOnly());
    }

    @Test
    void autoChoosesAssumeAllWithoutIstio() {
        MtlsResolverChoice choice = MtlsResolverChoice.choose(MtlsResolver.AUTO, true, IstioApis::none);
        assertEquals(MtlsResolver.ASSUME_ALL, choice.resolver());
        assertEquals(List.of(), choice.apis().watched());
    }

    @Test
    void autoChoosesAssumeAllWhenTheClusterCannotBeAsked() {
        MtlsResolverChoice choice = MtlsResolverChoice.choose(MtlsResolver.AUTO, true, UNREACHABLE);
        assertEquals(MtlsResolver.ASSUME_ALL, choice.resolver());
        assertTrue(choice.reason().contains("connection refused"), choice.reason());
    }

    @Test
    void withoutAClusterEvenIstioFallsBackToAssumeAll() {
        assertEquals(MtlsResolver.ASSUME_ALL, MtlsResolverChoice.choose(MtlsResolver.AUTO, false, NOT_ASKED).resolver());
        assertEquals(MtlsResolver.ASSUME_ALL, MtlsResolverChoice.choose(MtlsResolver.ISTIO, false, NOT_ASKED).resolver());
    }

    @Test
    void explicitChoicesAreKept() {
        assertEquals(MtlsResolver.ASSUME_ALL, MtlsResolverChoice.choose(MtlsResolver.ASSUME_ALL, true, NOT_ASKED).resolver());
        assertEquals(MtlsResolver.ANNOTATION, MtlsResolverChoice.choose(MtlsResolver.ANNOTATION, true, NOT_ASKED).resolver());
        IstioApis legacyOnly = new IstioApis(Optional.empty(), true, true);
        MtlsResolverChoice istio = MtlsResolverChoice.choose(MtlsResolver.ISTIO, true, () -> legacyOnly);
        assertEquals(MtlsResolver.ISTIO, istio.resolver());
        assertEquals(List.of(IstioKind.POLICY, IstioKind.MESH_POLICY), istio.apis().watched());
    }

    @Test
    void istioAskedForButDiscoveryFailedWatchesPeerAuthentication() {
        MtlsResolverChoice choice = MtlsResolverChoice.choose(MtlsResolver.ISTIO, true, UNREACHABLE);
        assertEquals(MtlsResolver.ISTIO, choice.resolver());
        assertEquals(List.of(IstioKind.PEER_AUTHENTICATION_V1), choice.apis().watched());
    }
}
