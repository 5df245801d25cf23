package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.polling.Eventually;
import io.proberewriter.tls.ServingCertificate;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default install's certificates, end to end against the mock API server: the operator (started explicitly,
 * as {@code serve} does) bootstraps the CA and the serving certificate, writes and restores the caBundle of the
 * real {@code k8s/base} webhook configuration, renews both certificates (lifetimes of seconds here), and a client
 * playing the API server — trusting exactly the caBundle it reads before each call — never sees a failure while
 * the webhook, reading the Secret, switches certificates under it.
 */
@QuarkusTest
@TestProfile(SelfManagedCertificatesTest.ShortLivedCertificates.class)
@WithKubernetesTestServer(crud = true)
class SelfManagedCertificatesTest {

    static final String NAMESPACE = "probe-rewriter-system";
    static final String SERVICE_HOST = "probe-rewriter.probe-rewriter-system.svc";
    static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "operation":"CREATE","namespace":"default","object":{"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"example/app:1",
             "livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}}}}""";

    public static class ShortLivedCertificates implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("probe-rewriter.tls.source", "secret"),
                    Map.entry("probe-rewriter.namespace", NAMESPACE),
                    Map.entry("probe-rewriter.operator.certificates.ca-validity", "15s"),
                    Map.entry("probe-rewriter.operator.certificates.serving-validity", "4s"),
                    Map.entry("probe-rewriter.operator.certificates.ca-propagation", "1s"),
                    Map.entry("probe-rewriter.operator.audit.enabled", "false"),
                    Map.entry("probe-rewriter.operator.port-exceptions.enabled", "false"));
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    OperatorLauncher operator;
    @Inject
    ServingCertificate servingCertificate;

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @BeforeEach
    void installAndStart() throws Exception {
        if (client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").get() == null) {
            // The manifest users apply, caBundle absent as it ships.
            try (InputStream manifest = Files.newInputStream(Path.of("k8s/base/mutatingwebhookconfiguration.yaml"))) {
                MutatingWebhookConfiguration shipped = Serialization.unmarshal(manifest, MutatingWebhookConfiguration.class);
                assertTrue(shipped.getWebhooks().stream().allMatch(w -> w.getClientConfig().getCaBundle() == null));
                client.resource(shipped).create();
            }
        }
        operator.start();
    }

    @Test
    void bootstrapsRestoresAndRenewsWithoutAFailedCall() throws Exception {
        // Bootstrap: both Secrets, the caBundle, and a served certificate the API server accepts.
        await("the caBundle is written", () -> !caBundle().isEmpty());
        await("the webhook serves the operator's certificate", () -> servingCertificate.certificate().isPresent());
        Secret ca = secret("probe-rewriter-ca");
        Secret tls = secret("probe-rewriter-tls");
        assertEquals("kubernetes.io/tls", tls.getType());
        assertFalse(tls.getData().containsKey("ca.key"), "the CA key never lands in the mounted Secret");
        assertEquals(Set.of("ca.crt", "ca.key", "ca-bundle.crt"), ca.getData().keySet());
        ApiServerCall first = ApiServerCall.post(mutate.getPort(), SERVICE_HOST, caBundle(), REVIEW);
        assertEquals(200, first.status());
        assertTrue(CertificatePlanner.dnsNamesOf(first.served()).contains(SERVICE_HOST));

        // Someone re-applies the manifest with an empty caBundle: it is put back.
        String written = caBundle();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter")
                .edit(c -> {
                    c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(""));
                    return c;
                });
        await("the blanked caBundle is restored", () -> written.equals(caBundle()));

        // Calls in a loop across serving renewals and a CA renewal.
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Set<String> servedSerials = Collections.synchronizedSet(new LinkedHashSet<>());
        Set<String> servingIssuers = Collections.synchronizedSet(new LinkedHashSet<>());
        List<Integer> bundleSizes = Collections.synchronizedList(new ArrayList<>());
        int[] calls = {0};
        Runnable apiServer = () -> {
            while (!stop.get()) {
                try {
                    String bundle = caBundle();
                    bundleSizes.add(PemCodec.certificates(new String(Base64.getDecoder().decode(bundle),
                            StandardCharsets.US_ASCII)).size());
                    ApiServerCall call = ApiServerCall.post(mutate.getPort(), SERVICE_HOST, bundle, REVIEW);
                    synchronized (calls) {
                        calls[0]++;
                    }
                    if (call.status() != 200) {
                        failures.add("status " + call.status());
                    }
                    servedSerials.add(call.served().getSerialNumber().toString(16));
                    servingIssuers.add(call.served().getIssuerX500Principal().getName() + "#"
                            + Optional.ofNullable(call.served().getExtensionValue("2.5.29.35"))
                            .map(v -> Base64.getEncoder().encodeToString(v)).orElse(""));
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        };
        List<Thread> callers = List.of(new Thread(apiServer), new Thread(apiServer));
        X509Certificate firstCa = caCertificate();
        callers.forEach(Thread::start);
        try {
            await("a new CA", () -> !caCertificate().equals(firstCa));
            await("both CAs trusted during the change", () -> bundleSizes.contains(2));
            await("a serving certificate of the new CA is served", () -> servingIssuers.size() >= 2);
            await("the old CA leaves the bundle when it expires", () -> trustedCount() == 1
                    && !PemCodec.certificates(text(secret("probe-rewriter-ca"), "ca-bundle.crt")).contains(firstCa));
        } finally {
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(20_000);
            }
        }
        assertTrue(servedSerials.size() >= 3, "serving renewals seen: " + servedSerials);
        assertTrue(calls[0] > 50, "calls made: " + calls[0]);
        assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())),
                failures.size() + " failed calls of " + calls[0]);
    }

    private String caBundle() {
        MutatingWebhookConfiguration configuration = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("probe-rewriter").get();
        String bundle = configuration.getWebhooks().get(0).getClientConfig().getCaBundle();
        return bundle == null ? "" : bundle;
    }

    private int trustedCount() {
        return PemCodec.certificates(new String(Base64.getDecoder().decode(caBundle()), StandardCharsets.US_ASCII))
                .size();
    }

    private X509Certificate caCertificate() {
        return PemCodec.certificates(text(secret("probe-rewriter-ca"), "ca.crt")).get(0);
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(NAMESPACE).withName(name).get();
    }

    private static String text(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Eventually.until(what, Duration.ofSeconds(40), condition);
    }
}
