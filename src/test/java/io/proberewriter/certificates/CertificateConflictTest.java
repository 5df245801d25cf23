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
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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

    /**
     * Another writer (a leader this replica does not know of yet) puts its CA into the caBundle after the copy this
     * pass plans from was read. The pass's bundle, planned without that CA, must not replace theirs unseen: its write
     * is conditional on the version it read, meets a 409 and looks again; the next pass, from the fresh copy, keeps
     * their CA beside ours. Before, the caBundle was patched unconditionally and their CA was dropped.
     */
    @Test
    void aCaBundleWrittenByAnotherWriterSinceOurReadIsNotOverwrittenUnseen() {
        MutatingWebhookConfiguration read = ShippedWebhookConfiguration.createIn(client);
        ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.namespace", NAMESPACE));
        X509Certificate theirCa = new CertificateIssuer().newCertificateAuthority("probe-rewriter-ca", Instant.now(),
                Duration.ofDays(300)).certificate();
        String theirBundle = Base64.getEncoder().encodeToString(PemCodec.encode(List.of(theirCa))
                .getBytes(StandardCharsets.US_ASCII));
        client.resource(read).edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(theirBundle));
            return c;
        });
        CertificateReconciler reconciler = new CertificateReconciler(config, client, Clock.systemUTC());

        UpdateControl<MutatingWebhookConfiguration> stale = reconciler.reconcile(read, CachedSecrets.holding(List.of()));

        assertEquals(Optional.of(1000L), stale.getScheduleDelay(), "a 409, and a look again shortly");
        assertEquals(List.of(theirCa), caBundle(), "their bundle as they wrote it");

        reconciler.reconcile(client.resource(read).get(), CachedSecrets.holding(
                client.secrets().inNamespace(NAMESPACE).list().getItems()));

        List<X509Certificate> merged = caBundle();
        assertTrue(merged.contains(theirCa), "their CA kept: " + merged);
        assertEquals(2, merged.size(), "and ours beside it: " + merged);
    }

    private List<X509Certificate> caBundle() {
        return CertificateSecrets.fromCaBundle(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("probe-rewriter").get().getWebhooks().get(0).getClientConfig().getCaBundle());
    }
}
