package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.polling.Eventually;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit with remediation at its default, off, as the install runs it unless the remediation RBAC is added: a
 * namespace that asks for remediation gets no restart (the operator could not patch the workload anyway) but an
 * Event on each broken pod that says remediation is off here and how to turn it on.
 */
@QuarkusTest
@TestProfile(AuditRemediationOffTest.RemediationOffProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AuditRemediationOffTest {

    /** The audit alone, remediation left at its default. */
    public static class RemediationOffProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "assume-all",
                    "probe-rewriter.operator.certificates.enabled", "false",
                    "probe-rewriter.operator.port-exceptions.enabled", "false",
                    "probe-rewriter.operator.audit.recheck-interval", "1s");
        }
    }

    @Inject
    KubernetesClient kubernetes;

    @Inject
    OperatorLauncher launcher;

    @Inject
    AuditReconciler reconciler;

    @Test
    void aNamespaceAskingForRemediationIsToldItIsOff() throws Exception {
        launcher.start();
        assertTrue(launcher.started(), "the audit must be registered and the operator running");
        kubernetes.resource(AuditFixtures.namespace("audit-remediation-off", true, true)).create();
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-remediation-off", "httpbin"))
                .create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "httpbin-3c2d")).create();
        Pod pod = AuditFixtures.ownedBy(AuditFixtures.pod("audit-remediation-off", "httpbin-3c2d-a", Map.of()), rs);
        pod.getMetadata().setUid(null);
        pod = kubernetes.resource(pod).create();

        Pod created = pod;
        Eventually.until("the explanation on the pod", Duration.ofSeconds(30),
                () -> !events(created, ControllerRestarts.NOT_RESTARTED).isEmpty());
        String message = events(pod, ControllerRestarts.NOT_RESTARTED).get(0).getMessage();
        assertTrue(message.contains("remediation is off in this install"), message);
        assertTrue(message.contains("probe-rewriter.operator.audit.remediation.enabled=false"), message);
        assertTrue(message.contains("operator.audit.remediation.enabled=true")
                && message.contains("k8s/components/remediation"), "says how to turn it on: " + message);
        assertEquals(1, events(pod, AuditReconciler.INCOMPATIBLE).size(), "the pod is still reported");

        reconciler.reconcile(kubernetes.resource(pod).get(), null);
        Deployment after = kubernetes.apps().deployments().inNamespace("audit-remediation-off").withName("httpbin").get();
        assertEquals(deployment.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(),
                "the Deployment is not written");
        assertEquals(List.of(), events(deployment, null), "no restart Event on the Deployment");
    }

    /** The Events about an object, optionally with one reason. */
    private List<Event> events(HasMetadata object, String reason) {
        return kubernetes.v1().events().inNamespace(object.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e -> object.getMetadata().getName().equals(e.getInvolvedObject().getName())
                        && object.getKind().equals(e.getInvolvedObject().getKind()))
                .filter(e -> reason == null || reason.equals(e.getReason()))
                .toList();
    }
}
