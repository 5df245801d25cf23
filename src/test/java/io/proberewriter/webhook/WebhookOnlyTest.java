package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.proberewriter.operator.OperatorLauncher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code probe-rewriter.operator.enabled=false}: the webhook alone. Starting the operator does nothing — no Lease,
 * no Secret, the webhook configuration untouched — and admissions are rewritten as ever.
 */
@QuarkusTest
@TestProfile(WebhookOnlyTest.WebhookOnly.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class WebhookOnlyTest extends WebhookTestBase {

    public static class WebhookOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.operator.enabled", "false");
        }
    }

    @Inject
    OperatorLauncher operator;
    @Inject
    KubernetesClient client;

    @Test
    void theOperatorStaysOffAndTheWebhookServes() throws Exception {
        try (InputStream manifest = Files.newInputStream(Path.of("k8s/base/mutatingwebhookconfiguration.yaml"))) {
            client.resource(Serialization.unmarshal(manifest, MutatingWebhookConfiguration.class)).create();
        }
        operator.start();
        operator.startWhenApiServerAnswers();
        assertFalse(operator.started());

        HttpResponse<byte[]> response = client().post(Reviews.podCreate("default", pod("p", 8080)).toString());
        assertEquals(200, response.statusCode());
        JsonNode answer = Reviews.JSON.readTree(response.body());
        assertEquals("patched", outcome(answer.path("response")), answer.toString());

        Thread.sleep(1000); // Give a wrongly started operator time to write; nothing may appear.
        assertTrue(client.secrets().inAnyNamespace().list().getItems().isEmpty(), "no Secret written");
        assertTrue(client.leases().inAnyNamespace().list().getItems().isEmpty(), "no Lease taken");
        assertEquals(null, client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter")
                .get().getWebhooks().get(0).getClientConfig().getCaBundle(), "caBundle untouched");
    }
}
