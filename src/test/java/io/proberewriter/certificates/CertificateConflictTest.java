package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A certificate pass that works from a cache a step behind the API server (its own last write not seen yet, or
 * another leader's) gets a 409 on its update: that is expected, not an error. It looks again shortly, with no
 * exception for the framework to log as a failure.
 */
@EnableKubernetesMockClient(crud = true)
class CertificateConflictTest {

    static final String NAMESPACE = "probe-rewriter-system";

    KubernetesClient client;

    @Test
    void aStaleReadEndsInALookAgainNotAnError() throws Exception {
        MutatingWebhookConfiguration configuration = ShippedWebhookConfiguration.createIn(client);
        ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.namespace", NAMESPACE));
        // What an earlier pass wrote, as the cache still holds it: the live Secret has moved on since.
        CertificatePlanner planner = new CertificatePlanner(new CertificateIssuer(),
                CertificatePlanner.serviceDnsNames("probe-rewriter", NAMESPACE), Duration.ofDays(300),
                Duration.ofDays(30), Duration.ofMinutes(1));
        Secret written = client.secrets().inNamespace(NAMESPACE).resource(CertificateSecrets.caSecret(NAMESPACE,
                "probe-rewriter-ca", planner.plan(CertificateState.EMPTY, Instant.now()))).create();
        client.secrets().inNamespace(NAMESPACE).withName("probe-rewriter-ca")
                .edit(s -> new SecretBuilder(s).addToData("other", "eA==").build());
        // Broken in the stale copy, so that the pass has to write the CA Secret and does so on the old version.
        Secret stale = new SecretBuilder(written).withData(Map.of("ca.crt", "bm90IGEgY2VydA==")).build();

        UpdateControl<MutatingWebhookConfiguration> control =
                new CertificateReconciler(config, client, Clock.systemUTC())
                        .reconcile(configuration, CachedSecrets.holding(List.of(stale)));

        assertTrue(control.getScheduleDelay().isPresent(), "looks again");
        assertEquals(Optional.of(1000L), control.getScheduleDelay(), "shortly");
    }
}
