package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one rule for a namespace that the webhook, the audit and the port exceptions share. */
class NamespaceViewTest {

    private static Namespace namespace(Map<String, String> labels, Map<String, String> annotations) {
        return new NamespaceBuilder().withNewMetadata().withName("shop").withLabels(labels)
                .withAnnotations(annotations).endMetadata().build();
    }

    @Test
    void optedInOnlyByTheLabelSetToTrue() {
        assertTrue(NamespaceView.of(namespace(Map.of(Annotations.ENABLED_LABEL, "true"), Map.of())).optedIn());
        for (String value : new String[] {"false", "True", "yes", "", " true"}) {
            NamespaceView view = NamespaceView.of(namespace(Map.of(Annotations.ENABLED_LABEL, value), Map.of()));
            assertFalse(view.optedIn(), value);
            assertTrue(view.optedOut(), value);
        }
        assertTrue(NamespaceView.of(namespace(Map.of("team", "a"), Map.of())).optedOut(), "no label");
        assertFalse(NamespaceView.of(namespace(Map.of(), Map.of(Annotations.ENABLED_LABEL, "true"))).optedIn(),
                "an annotation is not the label");
    }

    @Test
    void aNamespaceWithoutLabelsOrAnnotationsAtAllIsKnownAndNotOptedIn() {
        NamespaceView view = NamespaceView.of(new NamespaceBuilder().withNewMetadata().withName("bare").endMetadata()
                .build());
        assertTrue(view.known());
        assertFalse(view.optedIn());
        assertTrue(view.optedOut());
        assertFalse(view.remediationAsked());
        assertEquals(new NamespaceContext("bare", Map.of(), Map.of()), view.context());
    }

    /** The callers differ on purpose: the webhook acts with global defaults, the audit and port exceptions do not. */
    @Test
    void anUnknownNamespaceIsNeitherOptedInNorOut() {
        NamespaceView unknown = NamespaceView.unknown("nowhere");
        assertFalse(unknown.known());
        assertFalse(unknown.optedIn(), "the audit and the port exceptions leave it alone");
        assertFalse(unknown.optedOut(), "the webhook acts on it");
        assertFalse(unknown.remediationAsked());
        assertEquals(NamespaceContext.unknown("nowhere"), unknown.context(), "global defaults, labels unknown");
        assertEquals("nowhere", unknown.name());
    }

    @Test
    void remediationIsAskedByTheAnnotationSetToTrue() {
        Map<String, String> optedIn = Map.of(Annotations.ENABLED_LABEL, "true");
        assertTrue(NamespaceView.of(namespace(optedIn, Map.of(Annotations.REMEDIATE, "true"))).remediationAsked());
        assertFalse(NamespaceView.of(namespace(optedIn, Map.of(Annotations.REMEDIATE, "false"))).remediationAsked());
        assertFalse(NamespaceView.of(namespace(optedIn, Map.of())).remediationAsked());
        assertFalse(NamespaceView.of(namespace(Map.of(), Map.of(Annotations.REMEDIATE, "yes"))).remediationAsked());
    }

    @Test
    void theEnginesContextCarriesTheLabelsAndAnnotationsOfAKnownNamespace() {
        Map<String, String> labels = Map.of(Annotations.ENABLED_LABEL, "true", "istio-injection", "enabled");
        Map<String, String> annotations = Map.of(Annotations.MODE, "port");
        NamespaceContext context = NamespaceView.of(namespace(labels, annotations)).context();
        assertEquals(new NamespaceContext("shop", labels, annotations, true), context);
    }
}
