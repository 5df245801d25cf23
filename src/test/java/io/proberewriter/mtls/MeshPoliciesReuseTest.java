package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.MESHED;
import static io.proberewriter.mtls.MeshFixtures.check;
import static io.proberewriter.mtls.MeshFixtures.httpbin;
import static io.proberewriter.mtls.MeshFixtures.httpbinService;
import static io.proberewriter.mtls.MeshFixtures.peerAuthentication;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A snapshot rebuilt after a change reuses what the one before read of the very same objects, and reads anew every
 * object that is not the same one, even under the same name: an informer's store replaces what changed. Istio's own
 * probe rewrite is off here, so that STRICT breaks the probe.
 */
class MeshPoliciesReuseTest {

    private final GenericKubernetesResource strict = peerAuthentication("default", "default", "2024-01-01T00:00:00Z",
            "  mtls: {mode: STRICT}");
    private final GenericKubernetesResource unreadable = peerAuthentication("default", "broken",
            "2024-01-01T00:00:00Z", "  mtls: {mode: SOMETIMES}");
    private final Service service = httpbinService();
    private final Pod pod = httpbin().build();

    private static MeshPolicies build(List<GenericKubernetesResource> policies, MeshPolicies reusing) {
        return MeshPolicies.builder().policies(policies).services(List.of(httpbinService()))
                .rewriteAppProbesByDefault(false).reusing(reusing).build();
    }

    private MeshPolicies build(List<GenericKubernetesResource> policies, List<Service> services,
                               MeshPolicies reusing) {
        return MeshPolicies.builder().policies(policies).services(services).rewriteAppProbesByDefault(false)
                .reusing(reusing).build();
    }

    @Test
    void theSameObjectsAreNotReadAgainAndSayWhatTheySaidBefore() {
        MeshPolicies first = build(List.of(strict, unreadable), List.of(service), null);
        MeshPolicies second = build(List.of(strict, unreadable), List.of(service), first);

        assertSame(first.peerAuthentications("default").get(0), second.peerAuthentications("default").get(0));
        assertSame(first.service("default", "httpbin").orElseThrow(),
                second.service("default", "httpbin").orElseThrow());
        assertEquals(first.ignored(), second.ignored());
        assertEquals(1, second.ignored().size(), second.ignored().toString());
        assertTrue(second.ignored().get(0).contains("default/broken"), second.ignored().toString());
        assertTrue(check(new IstioMtlsOracle(second), pod, MESHED, 8000).rejectsPlaintext());
    }

    @Test
    void aReplacedObjectIsReadAnewEvenUnderTheSameName() {
        MeshPolicies first = build(List.of(strict), null);
        GenericKubernetesResource relaxed = peerAuthentication("default", "default", "2024-01-01T00:00:00Z",
                "  mtls: {mode: PERMISSIVE}");
        MeshPolicies second = build(List.of(relaxed), first);

        assertNotSame(first.peerAuthentications("default").get(0), second.peerAuthentications("default").get(0));
        assertTrue(check(new IstioMtlsOracle(first), pod, MESHED, 8000).rejectsPlaintext());
        assertTrue(!check(new IstioMtlsOracle(second), pod, MESHED, 8000).rejectsPlaintext(),
                "the PERMISSIVE policy that replaced the STRICT one must decide");
    }

    @Test
    void whatIsNoLongerGivenIsGone() {
        MeshPolicies first = build(List.of(strict, unreadable), null);
        MeshPolicies second = build(List.of(), first);

        assertEquals(List.of(), second.peerAuthentications("default"));
        assertEquals(List.of(), second.ignored());
        assertTrue(!check(new IstioMtlsOracle(second), pod, MESHED, 8000).rejectsPlaintext());
    }
}
