package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.polling.Eventually;
import io.proberewriter.time.SteppingClock;
import io.proberewriter.tls.ServingCertificate;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default install's certificates, end to end against the mock API server: the operator (started explicitly,
 * as {@code serve} does) bootstraps the CA and the serving certificate, writes and restores the caBundle of the
 * real {@code k8s/base} webhook configuration, renews both certificates, and a client playing the API server —
 * trusting exactly the caBundle it reads before each call — never sees a failure while the webhook, reading the
 * Secret, switches certificates under it.
 * <p>
 * Time is a clock the test steps (the operator, the webhook and the client all read it): lifetimes of days, walked
 * through a day at a time, each step taking as long as the components need to act on it. A step is shorter
 * than the CA propagation delay, and the next step waits until the API server (every caller) has read the caBundle
 * the step left: what the propagation delay stands for.
 */
@QuarkusTest
@TestProfile(SelfManagedCertificatesTest.ShortLivedCertificates.class)
@WithKubernetesTestServer(crud = true)
class SelfManagedCertificatesTest {

    static final String NAMESPACE = "probe-rewriter-system";
    static final Duration CA_VALIDITY = Duration.ofDays(15);
    static final Duration SERVING_VALIDITY = Duration.ofDays(6);
    static final Duration PROPAGATION = Duration.ofDays(2);
    /**
     * Shorter than the propagation delay, and than the last third of a serving certificate's life (the margin
     * before it expires): the operator acts at every step before anything it did or left undone matters.
     */
    static final Duration STEP = Duration.ofDays(1);
    static final String SERVICE_HOST = "probe-rewriter.probe-rewriter-system.svc";
    /** The operator's rules with the profile's settings: what the Secrets should hold at a given time. */
    static final CertificatePlanner PLANNER = new CertificatePlanner(new CertificateIssuer(),
            CertificatePlanner.serviceDnsNames("probe-rewriter", NAMESPACE), CA_VALIDITY, SERVING_VALIDITY,
            PROPAGATION);
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
                    Map.entry("probe-rewriter.operator.certificates.ca-validity", CA_VALIDITY.toString()),
                    Map.entry("probe-rewriter.operator.certificates.serving-validity", SERVING_VALIDITY.toString()),
                    Map.entry("probe-rewriter.operator.certificates.ca-propagation", PROPAGATION.toString()),
                    Map.entry("probe-rewriter.operator.audit.enabled", "false"),
                    Map.entry("probe-rewriter.operator.port-exceptions.enabled", "false"));
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(SteppedTime.class);
        }
    }

    /** Every bean that reads the time reads the test's clock. */
    @Alternative
    @Singleton
    public static class SteppedTime {
        @Produces
        @Singleton
        Clock clock() {
            return new SteppingClock(Instant.parse("2030-01-01T00:00:00Z"));
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    OperatorLauncher operator;
    @Inject
    ServingCertificate servingCertificate;
    @Inject
    Clock clock;

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @BeforeEach
    void installAndStart() throws Exception {
        if (client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").get() == null) {
            // The manifest users apply, caBundle absent as it ships.
            MutatingWebhookConfiguration shipped = ShippedWebhookConfiguration.read();
            assertTrue(shipped.getWebhooks().stream().allMatch(w -> w.getClientConfig().getCaBundle() == null));
            client.resource(shipped).create();
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
        ApiServerCall first = ApiServerCall.post(mutate.getPort(), SERVICE_HOST, caBundle(), REVIEW, clock);
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
        AtomicInteger calls = new AtomicInteger();
        List<AtomicLong> lastCallBegun = List.of(new AtomicLong(), new AtomicLong());
        List<Thread> callers = new ArrayList<>();
        ReadWriteLock oneMoment = new ReentrantReadWriteLock();
        for (AtomicLong begun : lastCallBegun) {
            callers.add(new Thread(() -> {
                while (!stop.get()) {
                    long begins = System.nanoTime();
                    // A call happens at one moment of the stepped time, as a real call does: a step of a whole day
                    // in the middle of a handshake is no moment the API server can meet.
                    oneMoment.readLock().lock();
                    try {
                        String bundle = caBundle();
                        bundleSizes.add(PemCodec.certificates(new String(Base64.getDecoder().decode(bundle),
                                StandardCharsets.US_ASCII)).size());
                        ApiServerCall call = ApiServerCall.post(mutate.getPort(), SERVICE_HOST, bundle, REVIEW,
                                clock);
                        calls.incrementAndGet();
                        if (call.status() != 200) {
                            failures.add("status " + call.status());
                        }
                        servedSerials.add(call.served().getSerialNumber().toString(16));
                        servingIssuers.add(call.served().getIssuerX500Principal().getName() + "#"
                                + Optional.ofNullable(call.served().getExtensionValue("2.5.29.35"))
                                .map(v -> Base64.getEncoder().encodeToString(v)).orElse(""));
                    } catch (Exception e) {
                        failures.add(clock.instant() + ": " + e);
                    } finally {
                        oneMoment.readLock().unlock();
                    }
                    begun.set(begins);
                }
            }));
        }
        X509Certificate firstCa = caCertificate();
        callers.forEach(Thread::start);
        try {
            // The first CA lives 15 days: it leaves the bundle after 16 steps; a few more if something is late.
            for (int step = 1; step <= 20 && !oldCaGone(firstCa); step++) {
                oneMoment.writeLock().lock();
                try {
                    time().step(STEP);
                } finally {
                    oneMoment.writeLock().unlock();
                }
                poke(step);
                await("the certificates settled on " + clock.instant(), this::settled);
                long settled = System.nanoTime();
                await("every caller has read the caBundle of " + clock.instant(),
                        () -> lastCallBegun.stream().allMatch(begun -> begun.get() > settled));
            }
        } finally {
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(20_000);
            }
        }
        assertFalse(caCertificate().equals(firstCa), "a new CA");
        assertTrue(bundleSizes.contains(2), "both CAs trusted during the change: " + Set.copyOf(bundleSizes));
        assertTrue(servingIssuers.size() >= 2, "a serving certificate of the new CA is served: " + servingIssuers);
        assertTrue(oldCaGone(firstCa), "the old CA leaves the bundle when it expires");
        assertTrue(servedSerials.size() >= 3, "serving renewals seen: " + servedSerials);
        assertTrue(calls.get() > 50, "calls made: " + calls.get());
        assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())),
                failures.size() + " failed calls of " + calls.get());
    }

    private SteppingClock time() {
        return (SteppingClock) clock;
    }

    /**
     * Makes the operator look at the certificates now: its own next look is scheduled on the stepped clock's
     * reading, so real time would take days to get there.
     */
    private void poke(int step) {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter")
                .edit(c -> {
                    Map<String, String> annotations = new HashMap<>(
                            Optional.ofNullable(c.getMetadata().getAnnotations()).orElse(Map.of()));
                    annotations.put("test.probe-rewriter.io/step", String.valueOf(step));
                    c.getMetadata().setAnnotations(annotations);
                    return c;
                });
    }

    /**
     * The operator has done what the time asks: the rules find nothing to change in the Secrets and the caBundle
     * as they are, and the webhook serves the Secret's certificate.
     */
    private boolean settled() {
        Secret caSecret = secret("probe-rewriter-ca");
        Secret servingSecret = secret("probe-rewriter-tls");
        String bundle = caBundle();
        CertificatePlan plan = PLANNER.plan(CertificateSecrets.read(Optional.of(caSecret), Optional.of(servingSecret),
                CertificateSecrets.fromCaBundle(bundle)), clock.instant());
        return plan.reasons().isEmpty()
                && CertificateSecrets.sameData(caSecret,
                        CertificateSecrets.caSecret(NAMESPACE, "probe-rewriter-ca", plan))
                && CertificateSecrets.sameData(servingSecret,
                        CertificateSecrets.servingSecret(NAMESPACE, "probe-rewriter-tls", plan))
                && bundle.equals(CertificateSecrets.caBundle(plan))
                && servingCertificate.certificate().equals(Optional.of(plan.serving().certificate()));
    }

    private boolean oldCaGone(X509Certificate firstCa) {
        return trustedCount() == 1
                && !PemCodec.certificates(text(secret("probe-rewriter-ca"), "ca-bundle.crt")).contains(firstCa);
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
