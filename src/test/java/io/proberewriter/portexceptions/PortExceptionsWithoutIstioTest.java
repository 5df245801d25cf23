package io.proberewriter.portexceptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.mtls.MtlsResolver;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A cluster without Istio's CRDs, with the istio resolver configured: the operator starts (no informer on a kind
 * that is not served), and workloads are looked at and left alone, saying why.
 */
@QuarkusTest
@TestProfile(PortExceptionsWithoutIstioTest.Profile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class PortExceptionsWithoutIstioTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "istio",
                    "probe-rewriter.mtls.istio.rewrites-probes", "false",
                    "probe-rewriter.operator.certificates.enabled", "false",
                    "probe-rewriter.operator.audit.enabled", "false",
                    "probe-rewriter.operator.port-exceptions.legacy-policy", "true");
        }
    }

    @Inject
    KubernetesClient kubernetes;
    @Inject
    OperatorLauncher launcher;
    @Inject
    WebhookMtlsResolver resolver;
    @Inject
    PortExceptionSync sync;
    @Inject
    NamespaceCache namespaces;

    @Test
    void theOperatorStartsAndWorkloadsAreLeftAloneWhenPeerAuthenticationIsNotServed() throws InterruptedException {
        Waiting.waitFor(resolver::ready, "the resolver to be chosen");
        assertEquals(MtlsResolver.ISTIO, resolver.choice().orElseThrow().resolver());
        assertTrue(resolver.choice().orElseThrow().apis().peerAuthentication().isEmpty());

        launcher.start();
        assertTrue(launcher.started(), "the operator must start without Istio's CRDs");

        kubernetes.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .withLabels(Map.of("probe-rewriter.io/enabled", "true", "istio-injection", "enabled"))
                .endMetadata().build()).create();
        Deployment web = kubernetes.apps().deployments()
                .resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(Workloads.deployment("shop", "web", "8081"))
                        .editMetadata().withUid(null).endMetadata().build()).create();
        Waiting.waitFor(() -> namespaces.view("shop").optedIn(), "the namespace in the cache");

        // Decided now, on the Deployment as stored: idle (no resync, nothing can change until a restart), nothing
        // written, nothing to warn about.
        UpdateControl<Deployment> decision = sync.reconcile(web, web.getSpec().getTemplate());
        assertEquals(Optional.empty(), decision.getScheduleDelay(), "idle: no resync");
        assertEquals(List.of(), kubernetes.v1().events().inNamespace("shop").list().getItems());
    }
}
