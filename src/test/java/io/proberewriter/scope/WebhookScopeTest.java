package io.proberewriter.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.proberewriter.scope.WebhookScope.Reach;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A webhook's selectors matched as the API server matches a metav1.LabelSelector. */
class WebhookScopeTest {

    @Test
    void everyOperatorAsTheApiServerReadsIt() {
        Map<String, String> labels = Map.of("tier", "web", "team", "shop");
        assertTrue(WebhookScope.matches(null, labels), "no selector: everything");
        assertTrue(WebhookScope.matches(new LabelSelector(), labels), "an empty selector: everything");
        assertTrue(WebhookScope.matches(selector("tier", "In", "web", "api"), labels));
        assertFalse(WebhookScope.matches(selector("tier", "In", "api"), labels));
        assertFalse(WebhookScope.matches(selector("absent", "In", "x"), labels), "In needs the label");
        assertTrue(WebhookScope.matches(selector("absent", "NotIn", "x"), labels), "NotIn holds for an absent label");
        assertFalse(WebhookScope.matches(selector("tier", "NotIn", "web"), labels));
        assertTrue(WebhookScope.matches(selector("team", "Exists"), labels));
        assertFalse(WebhookScope.matches(selector("team", "DoesNotExist"), labels));
        LabelSelector both = new LabelSelectorBuilder(selector("team", "Exists")).addToMatchLabels("tier", "api")
                .build();
        assertFalse(WebhookScope.matches(both, labels), "matchLabels and matchExpressions must all hold");
    }

    @Test
    void aSelectorOperatorTheApiServerWouldRefuseLeavesTheScopeUnknown() {
        WebhookScope scope = WebhookScope.of(configuration(selector("tier", "Matches", "w.*")));
        assertFalse(scope.known());
        assertTrue(scope.description().contains("\"Matches\""), scope.description());
        assertEquals(Reach.SENT, scope.reach(Map.of(), Map.of()), "unknown: the caller's rule of before decides");
    }

    @Test
    void oneOfSeveralWebhooksMatchingIsEnough() {
        MutatingWebhookConfiguration two = new MutatingWebhookConfigurationBuilder(configuration(
                selector("tier", "In", "api"))).addNewWebhook().withName("second.probe-rewriter.io")
                .withObjectSelector(selector("tier", "In", "web")).endWebhook().build();
        assertEquals(Reach.SENT, WebhookScope.of(two).reach(Map.of(), Map.of("tier", "web")));
        assertEquals(Reach.NOT_SENT, WebhookScope.of(two).reach(Map.of(), Map.of("tier", "db")));
    }

    private static MutatingWebhookConfiguration configuration(LabelSelector objectSelector) {
        return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("probe-rewriter").endMetadata()
                .addNewWebhook().withName("probes.probe-rewriter.io").withObjectSelector(objectSelector).endWebhook()
                .build();
    }

    private static LabelSelector selector(String key, String operator, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values.length == 0 ? null : List.of(values)).endMatchExpression().build();
    }
}
