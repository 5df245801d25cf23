package io.proberewriter.meshes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's sidecar where the namespace is unknown, and the revision whose injector handles a pod. */
class IstioSidecarTest {

    private static PodBuilder app() {
        return new PodBuilder().withNewMetadata().withName("app").endMetadata()
                .withNewSpec().addNewContainer().withName("app").endContainer().endSpec();
    }

    @Test
    void anUnknownNamespaceIsTakenToInjectUnlessThePodOptsOut() {
        IstioSidecar unknown = IstioSidecar.of(app().build(), "default", Map.of(), false);
        assertTrue(unknown.meshed());
        assertTrue(unknown.why().contains("not known"), unknown.why());
        Pod optOut = app().editMetadata().addToLabels("sidecar.istio.io/inject", "false").endMetadata().build();
        assertFalse(IstioSidecar.of(optOut, "default", Map.of(), false).meshed());
        assertFalse(IstioSidecar.of(app().build(), "default", Map.of(), true).meshed(), "known, without labels");
    }

    @Test
    void revisionFollowsTheWebhooksSelectors() {
        Pod plain = app().build();
        Pod podRevision = app().editMetadata().addToLabels("istio.io/rev", "canary").endMetadata().build();
        assertEquals("", IstioSidecar.revision(plain, Map.of("istio-injection", "enabled")));
        assertEquals("", IstioSidecar.revision(podRevision, Map.of("istio-injection", "enabled")),
                "the namespace's label selects the default webhook");
        assertEquals("stable", IstioSidecar.revision(podRevision, Map.of("istio.io/rev", "stable")));
        assertEquals("canary", IstioSidecar.revision(podRevision, Map.of()));
        assertEquals("", IstioSidecar.revision(plain, Map.of("istio.io/rev", "default")));
        assertEquals("", IstioSidecar.revision(plain, Map.of()));
    }
}
