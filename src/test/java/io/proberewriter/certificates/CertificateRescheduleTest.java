package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.time.SteppingClock;
import io.proberewriter.tls.TlsSecretLayout;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * After a pass the reconciler looks again when the next thing is due, counted on its clock: a test that steps the
 * clock (or a clock that jumps) gets the delay from that clock, not from the wall.
 */
@EnableKubernetesMockClient(crud = true)
class CertificateRescheduleTest {

    static final String NAMESPACE = "probe-rewriter-system";

    KubernetesClient client;

    @Test
    void looksAgainWhenTheServingCertificateIsDueForRenewal() throws Exception {
        MutatingWebhookConfiguration configuration = ShippedWebhookConfiguration.createIn(client);
        SteppingClock clock = new SteppingClock(Instant.parse("2030-01-01T00:00:00Z"));
        CertificateReconciler reconciler = reconciler(clock);

        UpdateControl<MutatingWebhookConfiguration> bootstrap = reconciler.reconcile(configuration,
                CachedSecrets.holding(List.of()));
        X509Certificate first = servedCertificate();
        assertEquals(Optional.of(Duration.between(clock.instant(), RenewalTime.of(first)).toMillis()),
                bootstrap.getScheduleDelay(), "the serving renewal is the first thing due");

        clock.step(Duration.between(clock.instant(), RenewalTime.of(first)).plusHours(1));
        // As the informer hands it over: with the caBundle the bootstrap wrote.
        MutatingWebhookConfiguration bootstrapped = client.resource(configuration).get();
        UpdateControl<MutatingWebhookConfiguration> renewal = reconciler.reconcile(bootstrapped,
                CachedSecrets.holding(client.secrets().inNamespace(NAMESPACE).list().getItems()));
        X509Certificate renewed = servedCertificate();
        assertNotEquals(first, renewed, "renewed when the clock said it was due");
        assertEquals(Optional.of(Duration.between(clock.instant(), RenewalTime.of(renewed)).toMillis()),
                renewal.getScheduleDelay());
    }

    /**
     * What is due in less than a second is looked at a second from now, not sooner: the operator must not reconcile
     * in a tight loop while a renewal time approaches (or while a clock that lags says it is not yet due).
     */
    @Test
    void looksAgainNoSoonerThanASecondFromNow() throws Exception {
        MutatingWebhookConfiguration configuration = ShippedWebhookConfiguration.createIn(client);
        SteppingClock clock = new SteppingClock(Instant.parse("2030-01-01T00:00:00Z"));
        CertificateReconciler reconciler = reconciler(clock);
        reconciler.reconcile(configuration, CachedSecrets.holding(List.of()));
        X509Certificate first = servedCertificate();

        clock.step(Duration.between(clock.instant(), RenewalTime.of(first)).minusMillis(300));
        UpdateControl<MutatingWebhookConfiguration> almostDue = reconciler.reconcile(configuration,
                CachedSecrets.holding(client.secrets().inNamespace(NAMESPACE).list().getItems()));

        assertEquals(first, servedCertificate(), "not renewed before its time");
        assertEquals(Optional.of(1000L), almostDue.getScheduleDelay(), "due in 300 ms, looked at in a second");
    }

    /** A CA of 300 days and serving certificates of 30, on the test's clock. */
    private CertificateReconciler reconciler(SteppingClock clock) {
        ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class, Map.of(
                "probe-rewriter.namespace", NAMESPACE,
                "probe-rewriter.operator.certificates.ca-validity", "300d",
                "probe-rewriter.operator.certificates.serving-validity", "30d"));
        return new CertificateReconciler(config, client, clock);
    }

    private X509Certificate servedCertificate() {
        Secret serving = client.secrets().inNamespace(NAMESPACE).withName("probe-rewriter-tls").get();
        return PemCodec.certificates(TlsSecretLayout.text(serving, TlsSecretLayout.TLS_CERT)).get(0);
    }
}
