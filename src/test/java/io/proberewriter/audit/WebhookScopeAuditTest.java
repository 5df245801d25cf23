package io.proberewriter.audit;

import static io.proberewriter.audit.AuditFixtures.ENGINE;
import static io.proberewriter.audit.AuditFixtures.namespace;
import static io.proberewriter.audit.AuditFixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.proberewriter.audit.PodFinding.Remediation;
import io.proberewriter.audit.PodFinding.Verdict;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.scope.WebhookScope;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit judges a pod by the webhook configuration's selectors, as the API server does: a pod they keep away from
 * the webhook (a Helm install's excludedNamespaces, namespaceSelector, objectSelector) is neither reported nor
 * restarted, however its namespace is labelled; with matchConditions the audit reports but restarts nothing.
 */
class WebhookScopeAuditTest {

    private static final String OWN = "probe-rewriter-system";

    /**
     * The chart's configuration with {@code webhook.excludedNamespaces: [legacy]} and
     * {@code webhook.objectSelector} keeping away pods labelled {@code probe-rewriter.io/skip}.
     */
    private static final String CONFIGURATION = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata: {name: probe-rewriter}
            webhooks:
              - name: probes.probe-rewriter.io
                clientConfig: {service: {namespace: probe-rewriter-system, name: probe-rewriter, path: /mutate}}
                namespaceSelector:
                  matchExpressions:
                    - {key: probe-rewriter.io/enabled, operator: In, values: ["true"]}
                    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [legacy, probe-rewriter-system]}
                objectSelector:
                  matchExpressions:
                    - {key: probe-rewriter.io/skip, operator: DoesNotExist}
                admissionReviewVersions: [v1]
                sideEffects: None
            """;

    private static WebhookScope scope(String yaml) {
        return WebhookScope.of(Serialization.unmarshal(yaml, MutatingWebhookConfiguration.class));
    }

    /** Opted in and asking for restarts, with the label the API server sets on every namespace. */
    private static Namespace remediating(String name) {
        Namespace namespace = namespace(name, true, true);
        namespace.getMetadata().getLabels().put("kubernetes.io/metadata.name", name);
        return namespace;
    }

    private static PodFinding examine(Pod pod, WebhookScope scope) {
        Namespace namespace = remediating(pod.getMetadata().getNamespace());
        return PodAudit.examine(pod, NamespaceView.of(namespace), OWN, scope, ENGINE);
    }

    @Test
    void aPodTheObjectSelectorKeepsAwayIsIgnoredNotRestarted() {
        Pod pod = pod("shop", "legacy-1", Map.of());
        pod.getMetadata().getLabels().put("probe-rewriter.io/skip", "true");

        PodFinding finding = examine(pod, scope(CONFIGURATION));

        assertEquals(Verdict.IGNORED, finding.verdict(), finding.why());
        assertEquals(Remediation.NOT_ASKED, finding.remediation());
        assertTrue(finding.why().contains("does not send it to the webhook"), finding.why());
    }

    @Test
    void aPodOfANamespaceTheNamespaceSelectorExcludesIsIgnored() {
        PodFinding finding = examine(pod("legacy", "httpbin-1", Map.of()), scope(CONFIGURATION));
        assertEquals(Verdict.IGNORED, finding.verdict(), finding.why());
    }

    @Test
    void aPodTheSelectorsSendIsStillRestarted() {
        PodFinding finding = examine(pod("shop", "httpbin-1", Map.of()), scope(CONFIGURATION));
        assertEquals(Verdict.BROKEN, finding.verdict());
        assertEquals(Remediation.RESTART_CONTROLLER, finding.remediation());
    }

    @Test
    void withMatchConditionsABrokenPodIsReportedButNotRestarted() {
        WebhookScope conditional = scope(CONFIGURATION + """
                    matchConditions:
                      - {name: not-batch, expression: "!has(object.metadata.labels) || !('batch' in object.metadata.labels)"}
                """);

        PodFinding finding = examine(pod("shop", "httpbin-1", Map.of()), conditional);

        assertEquals(Verdict.BROKEN, finding.verdict(), "its probes are broken whoever admitted it");
        assertEquals(Remediation.WEBHOOK_MAY_NOT_SEE_IT, finding.remediation());
        assertTrue(finding.why().contains("matchConditions"), finding.why());
    }

    @Test
    void anUnknownConfigurationKeepsTheNamespaceLabelRule() {
        Pod pod = pod("shop", "legacy-1", Map.of());
        pod.getMetadata().getLabels().put("probe-rewriter.io/skip", "true");

        PodFinding finding = examine(pod, WebhookScope.unknown("MutatingWebhookConfiguration probe-rewriter does not"
                + " exist (yet)"));

        assertEquals(Remediation.RESTART_CONTROLLER, finding.remediation(), "the rule of before: opted in is enough");
    }

    @Test
    void kubeSystemAndOurOwnNamespaceStayIgnoredWhateverTheSelectorsSay() {
        WebhookScope everything = scope("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: probe-rewriter}
                webhooks:
                  - {name: probes.probe-rewriter.io, admissionReviewVersions: [v1], sideEffects: None}
                """);
        assertEquals(Verdict.IGNORED, examine(pod("kube-system", "coredns-1", Map.of()), everything).verdict());
        assertEquals(Verdict.IGNORED, examine(pod(OWN, "probe-rewriter-1", Map.of()), everything).verdict());
    }
}
