package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.tls.TlsSecretLayout;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Secret under one of the operator's names that the API server will not let it update — cert-manager's CA Secret,
 * left behind when an install moves from cert-manager to the operator (type {@code kubernetes.io/tls}, and a
 * Secret's type cannot change), or a Secret marked immutable — is replaced, and the passes after it run: before,
 * every pass ended in the same 422 and the caBundle and serving certificate were never written. The mock API server
 * refuses such updates as the API server does ({@link SecretValidatingDispatcher}).
 */
class SecretReplacementTest {

    static final String NAMESPACE = "probe-rewriter-system";
    static final String CA_SECRET = "probe-rewriter-ca";
    static final String TLS_SECRET = "probe-rewriter-tls";
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private SecretValidatingDispatcher apiServerValidation;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private MutatingWebhookConfiguration configuration;
    private CertificateReconciler reconciler;

    @BeforeEach
    void startApiServer() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        apiServerValidation = new SecretValidatingDispatcher(expectations);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, apiServerValidation,
                false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient();
        configuration = ShippedWebhookConfiguration.createIn(client);
        reconciler = new CertificateReconciler(ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.namespace", NAMESPACE)), client, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        server.destroy();
    }

    @Test
    void certManagersCaSecretIsReplacedAndTheCertificatesAreWritten() {
        Secret leftOver = client.resource(certManagersCaSecret()).create();

        UpdateControl<MutatingWebhookConfiguration> control = reconciler.reconcile(configuration,
                CachedSecrets.holding(List.of(leftOver)));

        assertEquals(List.of(), apiServerValidation.refused, "no update the API server refuses");
        Secret ca = secret(CA_SECRET);
        assertEquals("Opaque", ca.getType(), "the operator's type");
        assertNotEquals(leftOver.getMetadata().getUid(), ca.getMetadata().getUid(), "a new Secret, not an update");
        assertEquals(Map.of(), Optional.ofNullable(ca.getMetadata().getAnnotations()).orElse(Map.of()),
                "nothing of cert-manager's kept");
        assertEquals(CertificateSecrets.MANAGER, ca.getMetadata().getLabels().get(CertificateSecrets.MANAGED_BY));
        CertificateState state = CertificateSecrets.read(Optional.of(ca), Optional.of(secret(TLS_SECRET)));
        X509Certificate newCa = state.newestCa().orElseThrow(() -> new AssertionError("a CA with its key")).certificate();
        X509Certificate served = state.serving().orElseThrow(() -> new AssertionError("a serving certificate"))
                .certificate();
        assertTrue(CertificatePlanner.signedBy(served, newCa), "the serving certificate is the new CA's");
        assertEquals("kubernetes.io/tls", secret(TLS_SECRET).getType());
        assertTrue(caBundle().contains(newCa), "the caBundle trusts the new CA: " + caBundle());
        assertTrue(control.getScheduleDelay().orElseThrow() > Duration.ofDays(1).toMillis(),
                "nothing left to do soon: " + control.getScheduleDelay());
    }

    /**
     * The whole move from cert-manager, as the default overlay meets it: cert-manager's CA Secret, its serving Secret
     * (two DNS names) and the caBundle its CA injector wrote. The first pass adds the operator's CA to the bundle and
     * leaves cert-manager's certificate served; only the pass after the propagation delay replaces it. Before, the
     * first pass served a certificate of a CA the API server had not been told about yet.
     */
    @Test
    void movingFromCertManagerKeepsItsCertificateServedUntilTheNewCaHasPropagated() {
        KeyPairWithCertificate certManagersCa = certManagersCa();
        Secret caLeftOver = client.resource(certManagersCaSecret(certManagersCa)).create();
        KeyPairWithCertificate certManagers = new CertificateIssuer().newServingCertificate(certManagersCa,
                List.of("probe-rewriter." + NAMESPACE + ".svc", "probe-rewriter." + NAMESPACE + ".svc.cluster.local"),
                NOW.minus(Duration.ofDays(10)), Duration.ofDays(90));
        Secret servingLeftOver = client.resource(new SecretBuilder()
                .withNewMetadata().withNamespace(NAMESPACE).withName(TLS_SECRET)
                .addToAnnotations("cert-manager.io/certificate-name", "probe-rewriter-serving").endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(TlsSecretLayout.TLS_CERT, base64(PemCodec.encode(certManagers.certificate())))
                .addToData(TlsSecretLayout.TLS_KEY, base64(PemCodec.encode(certManagers.key())))
                .addToData(TlsSecretLayout.CA_CERT, base64(PemCodec.encode(certManagersCa.certificate())))
                .build()).create();
        MutatingWebhookConfiguration injected = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("probe-rewriter").edit(c -> {
                    c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(
                            base64(PemCodec.encode(certManagersCa.certificate()))));
                    return c;
                });

        UpdateControl<MutatingWebhookConfiguration> first = reconciler.reconcile(injected,
                CachedSecrets.holding(List.of(caLeftOver, servingLeftOver)));

        X509Certificate newCa = CertificateSecrets.read(Optional.of(secret(CA_SECRET)), Optional.empty()).newestCa()
                .orElseThrow(() -> new AssertionError("the operator's CA")).certificate();
        assertEquals(List.of(newCa, certManagersCa.certificate()), caBundle(), "both CAs trusted");
        assertEquals(certManagers.certificate(), served(), "cert-manager's certificate still served");
        Duration signsIn = Duration.between(NOW, CertificateIssuer.issuedAt(newCa).plus(Duration.ofMinutes(1)));
        assertEquals(Optional.of(signsIn.toMillis()), first.getScheduleDelay(), "looks again when the new CA may sign");

        CertificateReconciler later = new CertificateReconciler(ConfigMappings.read(ProbeRewriterConfig.class,
                Map.of("probe-rewriter.namespace", NAMESPACE)), client,
                Clock.fixed(NOW.plus(signsIn), ZoneOffset.UTC));
        later.reconcile(liveConfiguration(), CachedSecrets.holding(List.of(secret(CA_SECRET), secret(TLS_SECRET))));

        assertTrue(CertificatePlanner.signedBy(served(), newCa), "the operator's certificate once the CA propagated");
        assertEquals(List.of(newCa, certManagersCa.certificate()), caBundle(), "cert-manager's CA until it expires");
        assertEquals(List.of(), apiServerValidation.refused, "no update the API server refuses");
    }

    @Test
    void aSecretMarkedImmutableIsReplacedWhenItsDataMustChange() {
        reconciler.reconcile(configuration, CachedSecrets.holding(List.of()));
        // Someone marks the serving Secret immutable and it ends up holding what the operator must replace.
        Secret frozen = client.secrets().inNamespace(NAMESPACE).withName(TLS_SECRET).edit(s -> new SecretBuilder(s)
                .withImmutable(true).addToData(TlsSecretLayout.TLS_CERT, "bm90IGEgY2VydA==").build());

        reconciler.reconcile(liveConfiguration(), CachedSecrets.holding(List.of(secret(CA_SECRET), frozen)));

        assertEquals(List.of(), apiServerValidation.refused, "no update the API server refuses");
        Secret serving = secret(TLS_SECRET);
        assertNotEquals(frozen.getMetadata().getUid(), serving.getMetadata().getUid(), "a new Secret");
        assertFalse(Boolean.TRUE.equals(serving.getImmutable()), "the operator's Secret is not immutable");
        assertTrue(CertificateSecrets.read(Optional.of(secret(CA_SECRET)), Optional.of(serving)).serving().isPresent(),
                "a serving certificate again");
    }

    @Test
    void aSecretAlreadyDeletedByOthersIsCreated() {
        // The cache still holds cert-manager's Secret; someone deleted it since.
        Secret leftOver = client.resource(certManagersCaSecret()).create();
        client.resource(leftOver).delete();

        reconciler.reconcile(configuration, CachedSecrets.holding(List.of(leftOver)));

        assertEquals("Opaque", secret(CA_SECRET).getType());
        assertFalse(caBundle().isEmpty(), "the passes after it ran");
    }

    @Test
    void aSecretRecreatedByAnotherWriterMeanwhileEndsInALookAgain() {
        Secret leftOver = client.resource(certManagersCaSecret()).create();
        // Between our delete and our create, another writer (a leader we do not know of yet) created it.
        server.expect().post().withPath("/api/v1/namespaces/" + NAMESPACE + "/secrets")
                .andReturn(409, new StatusBuilder().withStatus("Failure").withReason("AlreadyExists").withCode(409)
                        .withMessage("secrets \"" + CA_SECRET + "\" already exists").build())
                .once();

        UpdateControl<MutatingWebhookConfiguration> control = reconciler.reconcile(configuration,
                CachedSecrets.holding(List.of(leftOver)));

        assertEquals(Optional.of(1000L), control.getScheduleDelay(), "looks again shortly, no exception");
        reconciler.reconcile(configuration, CachedSecrets.holding(client.secrets().inNamespace(NAMESPACE).list()
                .getItems()));
        assertEquals("Opaque", secret(CA_SECRET).getType(), "the next pass finishes the work");
        assertFalse(caBundle().isEmpty());
    }

    /**
     * What cert-manager's CA Certificate (k8s/overlays/cert-manager) writes: a self-signed CA in the
     * {@code kubernetes.io/tls} layout, the key in {@code tls.key}, and no {@code ca.key} the operator could use.
     */
    private static Secret certManagersCaSecret() {
        return certManagersCaSecret(certManagersCa());
    }

    private static KeyPairWithCertificate certManagersCa() {
        return new CertificateIssuer().newCertificateAuthority(CA_SECRET, NOW.minus(Duration.ofDays(100)),
                Duration.ofDays(5 * 365));
    }

    private static Secret certManagersCaSecret(KeyPairWithCertificate ca) {
        return new SecretBuilder()
                .withNewMetadata().withNamespace(NAMESPACE).withName(CA_SECRET)
                .addToAnnotations("cert-manager.io/certificate-name", CA_SECRET)
                .addToAnnotations("cert-manager.io/issuer-kind", "Issuer")
                .addToAnnotations("cert-manager.io/issuer-name", "probe-rewriter-selfsigned")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(TlsSecretLayout.TLS_CERT, base64(PemCodec.encode(ca.certificate())))
                .addToData(TlsSecretLayout.TLS_KEY, base64(PemCodec.encode(ca.key())))
                .addToData(TlsSecretLayout.CA_CERT, base64(PemCodec.encode(ca.certificate())))
                .build();
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(NAMESPACE).withName(name).get();
    }

    /** The webhook configuration as the informer hands it to the next pass: the version our last write left. */
    private MutatingWebhookConfiguration liveConfiguration() {
        return client.resource(configuration).get();
    }

    private X509Certificate served() {
        return CertificateSecrets.read(Optional.empty(), Optional.of(secret(TLS_SECRET))).serving()
                .orElseThrow(() -> new AssertionError("a serving certificate")).certificate();
    }

    private List<X509Certificate> caBundle() {
        return CertificateSecrets.fromCaBundle(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("probe-rewriter").get().getWebhooks().get(0).getClientConfig().getCaBundle());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
