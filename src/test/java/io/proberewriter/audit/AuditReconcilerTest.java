package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.cluster.ManagedFieldsDroppingStore;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.cluster.WebhookScopeCache;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.polling.Eventually;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit reconciler against the mock API server in CRUD mode, with the operator started as {@code serve} starts
 * it. The mock server runs no controllers, so each test creates the Deployment, its ReplicaSet and its pods with
 * their owner references; pods are created as they would run: either unrewritten (they slipped past the webhook)
 * or with the webhook's rewrite applied (the engine's own output). Each test has its own namespace.
 */
@QuarkusTest
@TestProfile(AuditReconcilerTest.AuditProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AuditReconcilerTest {

    /**
     * The assume-all resolver, only the audit among the reconcilers, remediation on (as an install with its RBAC),
     * and a re-check every second.
     */
    public static class AuditProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "assume-all",
                    "probe-rewriter.operator.certificates.enabled", "false",
                    "probe-rewriter.operator.port-exceptions.enabled", "false",
                    "probe-rewriter.operator.audit.recheck-interval", "1s",
                    "probe-rewriter.operator.audit.remediation.enabled", "true",
                    "probe-rewriter.operator.audit.remediation-interval", "1h");
        }

        /** The event and remediation intervals pass when a test steps the clock, not in real time. */
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(OffsetSystemClock.class);
        }
    }

    @Inject
    KubernetesClient kubernetes;

    @Inject
    OperatorLauncher launcher;

    @Inject
    AuditReconciler reconciler;
    @Inject
    NamespaceCache namespaces;
    @Inject
    WebhookMtlsResolver resolver;
    @Inject
    WebhookScopeCache webhookScope;
    @Inject
    Operator operator;

    @Inject
    MeterRegistry registry;

    @Inject
    OffsetSystemClock clock;

    @KubernetesTestServer
    KubernetesServer apiServer;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeEach
    void startOperator() {
        launcher.start();
        assertTrue(launcher.started(), "the audit must be registered and the operator running");
    }

    /**
     * The pods re-checked after a start are not all re-checked again at the same moment, and then every interval
     * together (30,000 pods judged in the same seconds): each comes back after the interval plus a share of up to a
     * fifth of it of its own.
     */
    @Test
    void podsAreNotAllRecheckedAtOnce() throws InterruptedException {
        waitFor(() -> namespaces.synced() && resolver.ready() && webhookScope.current().isPresent(),
                "the caches the audit judges by");
        Set<Long> delays = new TreeSet<>();
        for (int i = 0; i < 50; i++) {
            // In a namespace that does not exist: not audited, so the decision is the re-check alone.
            UpdateControl<Pod> decision = reconciler.reconcile(AuditFixtures.pod("audit-spread", "p-" + i, Map.of()), null);
            long delay = decision.getScheduleDelay().orElseThrow();
            assertTrue(delay >= 1_000 && delay < 1_200, "within a fifth after the interval: " + delay);
            delays.add(delay);
        }
        assertTrue(delays.size() >= 10, "spread over the fifth: " + delays);
    }

    /** Every pod of the cluster is in this cache: it keeps them without their managed fields. */
    @Test
    void thePodCacheKeepsNoManagedFields() {
        assertInstanceOf(ManagedFieldsDroppingStore.class, operator.getRegisteredController(AuditReconciler.NAME)
                .orElseThrow().getConfiguration().getInformerConfig().getItemStore());
    }

    /**
     * Nor their env vars, most of a Deployment-made pod once its managed fields are gone (AuditedPodStore), which
     * neither the audit nor the engine reads: a pod with sixty of them is judged as the same pod without them.
     */
    @Test
    void thePodCacheKeepsNoEnvVarsAndAPodWithThemIsJudgedAlike() throws Exception {
        createNamespace("audit-env", false);
        Pod plain = create(AuditFixtures.pod("audit-env", "httpbin-plain", Map.of()));
        Pod withEnv = AuditFixtures.pod("audit-env", "httpbin-env", Map.of());
        Container container = withEnv.getSpec().getContainers().get(0);
        List<EnvVar> env = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            env.add(new EnvVar("HTTPBIN_SETTING_" + i, "value-" + i, null));
        }
        container.setEnv(env);
        container.setEnvFrom(List.of(new EnvFromSourceBuilder().withNewConfigMapRef("httpbin", false).build()));
        container.setCommand(List.of("gunicorn", "-b", "0.0.0.0:8000", "httpbin:app"));
        withEnv = create(withEnv);
        Pod created = withEnv;

        waitFor(() -> !events(created, AuditReconciler.INCOMPATIBLE).isEmpty()
                && !events(plain, AuditReconciler.INCOMPATIBLE).isEmpty(), "the Events on both pods");
        Pod cached = podCache().get(ResourceID.fromResource(withEnv)).orElseThrow();
        Container inCache = cached.getSpec().getContainers().get(0);
        assertNull(inCache.getEnv(), "env vars are not cached");
        assertNull(inCache.getEnvFrom());
        assertNull(inCache.getCommand());
        Container onServer = fresh(withEnv).getSpec().getContainers().get(0);
        assertEquals(60, onServer.getEnv().size(), "the API server's pod keeps them: nothing is written back");
        assertEquals(onServer.getLivenessProbe(), inCache.getLivenessProbe());
        assertEquals(onServer.getPorts(), inCache.getPorts());
        assertEquals(withEnv.getMetadata().getUid(), cached.getMetadata().getUid());

        assertEquals(List.of(IncompatibleProbeMessage.format("httpbin-env", "audit-env", ProbeKind.LIVENESS)),
                events(withEnv, AuditReconciler.INCOMPATIBLE).stream().map(Event::getMessage).toList(),
                "the same finding as for the pod without env vars");
        assertEquals(List.of(IncompatibleProbeMessage.format("httpbin-plain", "audit-env", ProbeKind.LIVENESS)),
                events(plain, AuditReconciler.INCOMPATIBLE).stream().map(Event::getMessage).toList());
        assertEquals(PodAudit.examine(fresh(withEnv), namespaces.view("audit-env"), "probe-rewriter-system",
                        webhookScope.current().orElseThrow(), AuditFixtures.ENGINE),
                PodAudit.examine(cached, namespaces.view("audit-env"), "probe-rewriter-system",
                        webhookScope.current().orElseThrow(), AuditFixtures.ENGINE),
                "the pod as cached is judged as the whole pod");
    }

    @SuppressWarnings("unchecked")
    private IndexerResourceCache<Pod> podCache() {
        return ((Controller<Pod>) operator.getRegisteredController(AuditReconciler.NAME).orElseThrow())
                .getEventSourceManager().getControllerEventSource();
    }

    @Test
    void anUnrewrittenPodGetsTheSeedsDiagnosticARewrittenOneDoesNot() throws Exception {
        Namespace ns = createNamespace("audit-events", false);
        Pod admitted = create(AuditFixtures.rewritten(AuditFixtures.pod("audit-events", "httpbin-admitted", Map.of()), ns));
        Pod slipped = create(AuditFixtures.pod("audit-events", "httpbin-slipped", Map.of()));

        waitFor(() -> !events(slipped, AuditReconciler.INCOMPATIBLE).isEmpty(), "the Event on the unrewritten pod");
        List<Event> events = events(slipped, AuditReconciler.INCOMPATIBLE);
        assertEquals(1, events.size(), "one Event per broken probe kind: " + events);
        assertEquals("Warning", events.get(0).getType());
        assertEquals(IncompatibleProbeMessage.format("httpbin-slipped", "audit-events", ProbeKind.LIVENESS),
                events.get(0).getMessage());
        assertEquals(slipped.getMetadata().getUid(), events.get(0).getInvolvedObject().getUid());

        // Deterministic: the reconciler run on the rewritten pod now, whatever the operator has done with it so far.
        reconciler.reconcile(fresh(admitted), null);
        reconciler.reconcile(fresh(slipped), null);
        assertEquals(List.of(), events(admitted, null), "a pod the webhook rewrote is not reported");
        assertEquals(1, events(slipped, AuditReconciler.INCOMPATIBLE).size());
        assertEquals(1, events(slipped, AuditReconciler.INCOMPATIBLE).get(0).getCount(),
                "a re-check within the event interval does not count the Event again");
        assertEquals(List.of(), events(slipped, ControllerRestarts.NOT_RESTARTED),
                "remediation is not asked for in this namespace");

        // Once the event interval (45m) has passed, a re-check reports the pod again: the same Event, counted twice.
        clock.step(Duration.ofHours(1));
        waitFor(() -> events(slipped, AuditReconciler.INCOMPATIBLE).get(0).getCount() == 2,
                "the Event counted again after the event interval");
        assertEquals(1, events(slipped, AuditReconciler.INCOMPATIBLE).size());
        assertEquals(List.of(), events(admitted, null), "a pod the webhook rewrote is still not reported");
    }

    @Test
    void theGaugeCountsBrokenPodsPerNamespaceAndFallsWhenTheyGo() throws Exception {
        createNamespace("audit-gauge", false);
        Namespace ns = kubernetes.namespaces().withName("audit-gauge").get();
        Pod first = create(AuditFixtures.pod("audit-gauge", "broken-1", Map.of()));
        create(AuditFixtures.pod("audit-gauge", "broken-2", Map.of(Annotations.MODE, "off")));
        create(AuditFixtures.rewritten(AuditFixtures.pod("audit-gauge", "fine", Map.of()), ns));

        waitFor(() -> gauge("audit-gauge") == 2.0, "two broken pods counted, not the rewritten one");
        String exported = metrics();
        assertTrue(exported.contains(BrokenPods.GAUGE + "{namespace=\"audit-gauge\"} 2.0"), "exported at /q/metrics");
        assertTrue(exported.contains("operator_sdk_reconciliations_started_total{"), "the SDK's own series are there");
        List<String> perPod = exported.lines().filter(l -> l.contains("\"broken-1\"") || l.contains("\"fine\""))
                .toList();
        assertEquals(List.of(), perPod, "no series per pod: the audit sees every pod of the cluster, and a series"
                + " per pod would grow with every pod ever created");

        kubernetes.pods().resource(first).delete();
        waitFor(() -> gauge("audit-gauge") == 1.0, "the deleted pod to leave the count");

        kubernetes.namespaces().withName("audit-gauge").edit(n -> {
            n.getMetadata().getLabels().remove(Annotations.ENABLED_LABEL);
            return n;
        });
        waitFor(() -> gauge("audit-gauge") == 0.0, "the namespace that opted out to leave the count");
        assertTrue(metrics().contains(BrokenPods.GAUGE + "{namespace=\"audit-gauge\"} 0.0"),
                "a namespace that exists keeps its series at 0: the good news a dashboard waits for");

        kubernetes.namespaces().withName("audit-gauge").delete();
        waitFor(() -> registry.find(BrokenPods.GAUGE).tag("namespace", "audit-gauge").gauge() == null,
                "the deleted namespace's series to go");
        List<String> left = metrics().lines().filter(l -> l.contains("namespace=\"audit-gauge\"")).toList();
        assertEquals(List.of(), left, "no series left at /q/metrics for a namespace that is gone");
    }

    /**
     * Once its Deployment has been restarted, a broken pod re-checked within the remediation interval reads neither
     * its ReplicaSet nor its Deployment: the restart cannot be due, and every broken pod of a remediated namespace
     * read three objects at every re-check while its rollout went on (or stayed stuck).
     */
    @Test
    void aPodReCheckedWithinTheRemediationIntervalReadsNoOwner() throws Exception {
        createNamespace("audit-reads", true);
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-reads", "httpbin")).create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "httpbin-3e2d")).create();
        Pod pod = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-reads", "httpbin-3e2d-a", Map.of()), rs));
        waitFor(() -> restartedAt("audit-reads", "httpbin").isPresent(), "the Deployment to be restarted");
        waitFor(() -> !events(deployment, ControllerRestarts.RESTARTED).isEmpty(), "the Event on the Deployment");
        Pod current = fresh(pod);
        // The re-checks (every second here) after the restart, and this one, made now.
        long until = System.nanoTime() + java.time.Duration.ofMillis(1_500).toNanos();
        while (System.nanoTime() < until) {
            apiServer.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS);
        }
        reconciler.reconcile(current, null);
        Thread.sleep(1_500);

        List<String> reads = new ArrayList<>();
        RecordedRequest request;
        while ((request = apiServer.getKubernetesMockServer().takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
            if (request.getPath().startsWith("/apis/apps/v1/namespaces/audit-reads/")) {
                reads.add(request.getMethod() + " " + request.getPath());
            }
        }
        assertEquals(List.of(), reads);
    }

    @Test
    void remediationRestartsTheDeploymentOnceAndLeavesABarePodAlone() throws Exception {
        createNamespace("audit-remediate", true);
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-remediate", "httpbin")).create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "httpbin-7d4f")).create();

        List<String> restartsSeen = new CopyOnWriteArrayList<>();
        try (Watch ignored = kubernetes.apps().deployments().inNamespace("audit-remediate").withName("httpbin")
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                        // Every write, even one that leaves the same value (two restarts in the same second).
                        if (action == Action.MODIFIED) {
                            restartsSeen.add(String.valueOf(d.getSpec().getTemplate().getMetadata().getAnnotations()
                                    .get(RestartSchedule.RESTARTED_AT)));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            Pod one = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-remediate", "httpbin-7d4f-a", Map.of()), rs));
            Pod two = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-remediate", "httpbin-7d4f-b", Map.of()), rs));
            Pod bare = create(AuditFixtures.pod("audit-remediate", "bare", Map.of()));

            waitFor(() -> restartedAt(deployment.getMetadata().getNamespace(), "httpbin").isPresent(), "the Deployment to be restarted");
            waitFor(() -> !events(deployment, ControllerRestarts.RESTARTED).isEmpty(), "the Event on the Deployment");
            String first = restartedAt(deployment.getMetadata().getNamespace(), "httpbin").get();
            // The watch hands the write on in its own time, after the API server holds it: wait for it there too.
            waitFor(() -> !restartsSeen.isEmpty(), "the restart seen by the test's watch");

            // Both pods again, within the interval: the record on the Deployment holds them back.
            reconciler.reconcile(fresh(one), null);
            reconciler.reconcile(fresh(two), null);
            assertEquals(Optional.of(first), restartedAt(deployment.getMetadata().getNamespace(), "httpbin"));
            assertEquals(1, events(deployment, ControllerRestarts.RESTARTED).size());
            assertEquals(List.of(first), restartsSeen, "exactly one write to the Deployment");

            // The remediation interval (1h) passes: the pods, still broken, have their Deployment restarted once more.
            clock.step(Duration.ofHours(1));
            waitFor(() -> restartsSeen.size() == 2, "a second restart once the remediation interval has passed");
            Instant second = Instant.parse(restartsSeen.get(1));
            assertTrue(!second.isBefore(Instant.parse(first).plus(Duration.ofHours(1))), restartsSeen.toString());
            reconciler.reconcile(fresh(one), null);
            reconciler.reconcile(fresh(two), null);
            assertEquals(2, restartsSeen.size(), "again once per interval: " + restartsSeen);

            waitFor(() -> !events(bare, ControllerRestarts.NOT_RESTARTED).isEmpty(), "the bare pod's explanation");
            assertTrue(events(bare, ControllerRestarts.NOT_RESTARTED).get(0).getMessage().contains("bare pod"));
            assertEquals(1, events(bare, AuditReconciler.INCOMPATIBLE).size(), "the bare pod gets its Event");
        }
        assertNull(kubernetes.pods().inNamespace("audit-remediate").withName("bare").get().getMetadata()
                .getDeletionTimestamp(), "a bare pod is never deleted");
    }

    /**
     * Remediation switched on where the install did not grant the patch (RBAC written by hand, or the setting turned
     * on without the remediation component): the API server's 403 is said on the pod, with what grants it, and the
     * reconciliation ends normally instead of failing and being retried as if waiting could help.
     */
    @Test
    void aRestartTheApiServerForbidsIsExplainedOnThePod() throws Exception {
        createNamespace("audit-forbidden", true);
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-forbidden", "httpbin")).create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "httpbin-9a8b")).create();
        apiServer.expect().patch().withPath("/apis/apps/v1/namespaces/audit-forbidden/deployments/httpbin")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("deployments.apps \"httpbin\" is forbidden: User \"system:serviceaccount:"
                                + "probe-rewriter-system:probe-rewriter-operator\" cannot patch resource"
                                + " \"deployments\" in API group \"apps\" in the namespace \"audit-forbidden\"")
                        .build())
                .always();
        Pod pod = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-forbidden", "httpbin-9a8b-a", Map.of()), rs));

        waitFor(() -> !events(pod, ControllerRestarts.NOT_RESTARTED).isEmpty(), "the explanation on the pod");
        String message = events(pod, ControllerRestarts.NOT_RESTARTED).get(0).getMessage();
        assertTrue(message.contains("refused the restart of Deployment httpbin (Forbidden)"), message);
        assertTrue(message.contains("operator.audit.remediation.enabled=true")
                && message.contains("k8s/components/remediation"), "says what grants it: " + message);
        // Once more by hand: no exception (old code threw the 403 back, to be retried five times, then logged).
        reconciler.reconcile(fresh(pod), null);
        assertEquals(Optional.empty(), restartedAt("audit-forbidden", "httpbin"));
        assertEquals(1, events(pod, ControllerRestarts.NOT_RESTARTED).size(), "one Event, counted, not one per try");
    }

    @Test
    void withoutTheRemediateAnnotationNothingIsRestarted() throws Exception {
        createNamespace("audit-no-remediate", false);
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-no-remediate", "httpbin")).create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "httpbin-5c6b")).create();
        Pod pod = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-no-remediate", "httpbin-5c6b-a", Map.of()), rs));

        waitFor(() -> !events(pod, AuditReconciler.INCOMPATIBLE).isEmpty(), "the Event on the pod");
        reconciler.reconcile(fresh(pod), null);
        assertEquals(Optional.empty(), restartedAt(deployment.getMetadata().getNamespace(), "httpbin"));
        assertEquals(List.of(), events(deployment, null));
    }

    @Test
    void modeOffIsReportedButNotRestarted() throws Exception {
        createNamespace("audit-mode-off", true);
        Deployment deployment = kubernetes.resource(AuditFixtures.deployment("audit-mode-off", "legacy")).create();
        ReplicaSet rs = kubernetes.resource(AuditFixtures.replicaSet(deployment, "legacy-1")).create();
        Pod pod = create(AuditFixtures.ownedBy(AuditFixtures.pod("audit-mode-off", "legacy-1-a",
                Map.of(Annotations.MODE, "off")), rs));

        waitFor(() -> !events(pod, ControllerRestarts.NOT_RESTARTED).isEmpty(), "the explanation on the pod");
        reconciler.reconcile(fresh(pod), null);
        assertEquals(1, events(pod, AuditReconciler.INCOMPATIBLE).size());
        assertEquals(Optional.empty(), restartedAt("audit-mode-off", "legacy"), "a restart cannot fix mode off");
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private Namespace createNamespace(String name, boolean remediate) {
        return kubernetes.resource(AuditFixtures.namespace(name, true, remediate)).create();
    }

    private Pod create(Pod pod) {
        pod.getMetadata().setUid(null);
        return kubernetes.resource(pod).create();
    }

    private Pod fresh(Pod pod) {
        Pod current = kubernetes.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).get();
        assertNotNull(current, pod.getMetadata().getName());
        return current;
    }

    private Optional<String> restartedAt(String namespace, String deployment) {
        Deployment d = kubernetes.apps().deployments().inNamespace(namespace).withName(deployment).get();
        return Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .map(a -> a.get(RestartSchedule.RESTARTED_AT));
    }

    /** The Events about an object, optionally with one reason. */
    private List<Event> events(HasMetadata object, String reason) {
        return kubernetes.v1().events().inNamespace(object.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e -> object.getMetadata().getName().equals(e.getInvolvedObject().getName())
                        && object.getKind().equals(e.getInvolvedObject().getKind()))
                .filter(e -> reason == null || reason.equals(e.getReason()))
                .toList();
    }

    private double gauge(String namespace) {
        Gauge gauge = registry.find(BrokenPods.GAUGE).tag("namespace", namespace).gauge();
        return gauge == null ? 0.0 : gauge.value();
    }

    private String metrics() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(management.toString()).resolve("metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Eventually.until(what, java.time.Duration.ofSeconds(30), condition);
    }
}
