package io.proberewriter.portexceptions;

import static io.proberewriter.portexceptions.Waiting.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.cluster.IstioApis;
import io.proberewriter.cluster.ManagedFieldsDroppingStore;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.cluster.WebhookScopeCache;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.scope.WebhookScope;
import io.proberewriter.webhook.IstioCrds;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconcilers against a mock API server with Istio's CRDs, run on two clusters by the subclasses: a current mesh
 * ({@link PortExceptionsOnCurrentIstioTest}, PeerAuthentication alone) and an Istio 1.5-era one
 * ({@link PortExceptionsOnIstio15Test}, the v1alpha1 Policy too). Namespace {@code shop} is opted in, meshed and
 * STRICT by a namespace-wide PeerAuthentication; {@code relaxed} is the same but PERMISSIVE; {@code outside} is meshed
 * and STRICT but not opted in. Absence is checked right after the reconciler has decided, called directly on the
 * workload as the API server holds it, never after a pause.
 */
@QuarkusTestResource(ServingCertificates.class)
abstract class PortExceptionsClusterTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            config.put("probe-rewriter.mtls.resolver", "istio");
            // Istio would otherwise rewrite the probes itself and no port would count as under mTLS.
            config.put("probe-rewriter.mtls.istio.rewrites-probes", "false");
            config.put("probe-rewriter.operator.certificates.enabled", "false");
            config.put("probe-rewriter.operator.audit.enabled", "false");
            config.put("probe-rewriter.operator.port-exceptions.legacy-policy", "true");
            // Long: every change checked here must reach the reconciler through its own event, not a resync.
            config.put("probe-rewriter.operator.port-exceptions.resync-period", "1h");
            return config;
        }
    }

    private static final String BILLING = "billing";
    private static final ResourceDefinitionContext PEER_AUTHENTICATION = IstioApis.context(IstioKind.PEER_AUTHENTICATION_V1);

    @Inject
    KubernetesClient kubernetes;
    @Inject
    OperatorLauncher launcher;
    @Inject
    WebhookMtlsResolver resolver;
    @Inject
    NamespaceCache namespaces;
    @Inject
    PortExceptionSync sync;
    @Inject
    WebhookScopeCache webhookScope;
    @Inject
    Operator operator;
    @Inject
    DeploymentPortExceptions deployments;
    @Inject
    StatefulSetPortExceptions statefulSets;
    @Inject
    DaemonSetPortExceptions daemonSets;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;
    @KubernetesTestServer
    KubernetesServer server;

    @BeforeEach
    void meshAndOperator() throws InterruptedException {
        namespace("shop", true, "STRICT");
        namespace("relaxed", true, "PERMISSIVE");
        namespace("outside", false, "STRICT");
        waitFor(() -> resolver.ready() && List.of("shop", "relaxed", "outside").stream()
                .allMatch(ns -> namespaces.view(ns).known() && cached(ns, "default").isPresent()),
                "namespaces and namespace policies in the caches");
        launcher.start();
        assertTrue(launcher.started());
    }

    /** Every Deployment, StatefulSet and DaemonSet of the cluster is cached: without their managed fields. */
    @Test
    void theWorkloadCachesKeepNoManagedFields() {
        for (String controller : List.of("port-exceptions-deployment", "port-exceptions-statefulset",
                "port-exceptions-daemonset")) {
            assertInstanceOf(ManagedFieldsDroppingStore.class, operator.getRegisteredController(controller)
                    .orElseThrow().getConfiguration().getInformerConfig().getItemStore(), controller);
        }
    }

    /**
     * A workload whose reconciliation kept failing (API server away, a write refused) is looked at again at the
     * resync period once JOSDK's retries are used up, not after JOSDK's 10-hour maximum reconciliation interval.
     */
    @Test
    void afterTheLastFailedAttemptEachReconcilerLooksAgainAtTheResyncPeriod() {
        Exception refused = new KubernetesClientException("peerauthentications is forbidden");
        Deployment web = deployment("shop", "failing", "8081");
        StatefulSet db = new StatefulSetBuilder().withMetadata(web.getMetadata()).build();
        DaemonSet agent = new DaemonSetBuilder().withMetadata(web.getMetadata()).build();
        List<ErrorStatusUpdateControl<?>> last = List.of(
                deployments.updateErrorStatus(web, FailedAttempt.context(10, true), refused),
                statefulSets.updateErrorStatus(db, FailedAttempt.context(10, true), refused),
                daemonSets.updateErrorStatus(agent, FailedAttempt.context(10, true), refused));
        for (ErrorStatusUpdateControl<?> control : last) {
            assertAtTheResyncPeriod(control.getScheduleDelay());
            assertTrue(control.isNoRetry(), "the retry is over: the resync takes it from here");
        }
        assertTrue(deployments.updateErrorStatus(web, FailedAttempt.context(3, false), refused)
                .isDefaultErrorProcessing(), "before the last attempt, JOSDK's retry goes on");
    }

    /**
     * Thousands of workloads looked at after a start do not all come back together at every resync, with their
     * requests: each comes back after the period plus a share of up to a fifth of it of its own (by its uid).
     */
    @Test
    void workloadsAreNotAllLookedAtAgainAtOnce() {
        Exception refused = new KubernetesClientException("peerauthentications is forbidden");
        Set<Long> delays = new TreeSet<>();
        for (int i = 0; i < 50; i++) {
            Deployment web = new DeploymentBuilder(deployment("shop", "spread-" + i, "8081")).editMetadata()
                    .withUid(UUID.randomUUID().toString()).endMetadata().build();
            Optional<Long> delay = deployments.updateErrorStatus(web, FailedAttempt.context(10, true), refused)
                    .getScheduleDelay();
            assertAtTheResyncPeriod(delay);
            delays.add(delay.orElseThrow());
        }
        assertTrue(delays.size() >= 40, "spread over the fifth: " + delays);
    }

    @Test
    void peerAuthenticationForADeploymentInPortModeUnderStrict() throws InterruptedException {
        Deployment web = create(deployment("shop", "web", "8081"));
        GenericKubernetesResource policy = awaitPolicy("shop", "probe-rewriter-deployment-web");

        assertEquals("probe-rewriter", policy.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        Map<?, ?> spec = (Map<?, ?>) policy.getAdditionalProperties().get("spec");
        assertEquals(Map.of("matchLabels", Map.of("app", "web")), spec.get("selector"));
        assertEquals(Map.of("mode", "UNSET"), spec.get("mtls"));
        assertEquals(Map.of("8081", Map.of("mode", "PERMISSIVE")), spec.get("portLevelMtls"));
        OwnerReference owner = policy.getMetadata().getOwnerReferences().get(0);
        assertEquals(List.of("apps/v1", "Deployment", "web", web.getMetadata().getUid()),
                List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid()));
        assertEquals(Boolean.FALSE, owner.getBlockOwnerDeletion());
        assertNull(owner.getController());
    }

    /** Whose a pod is takes its ReplicaSet: read once per look at the workload, not once per pod. */
    @Test
    void eachReplicaSetIsReadOncePerLookHoweverManyOfItsPodsAreChecked() throws InterruptedException {
        Deployment counted = create(deployment("shop", "counted", "8081"));
        String replicaSet = kubernetes.apps().replicaSets().resource(new ReplicaSetBuilder().withNewMetadata()
                .withNamespace("shop").withName("counted-5d8f7").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("Deployment").withName("counted").withUid(counted.getMetadata().getUid()).withController(true)
                .endOwnerReference().endMetadata().withNewSpec().withSelector(counted.getSpec().getSelector())
                .withTemplate(counted.getSpec().getTemplate()).endSpec().build()).create().getMetadata().getName();
        for (String pod : List.of("counted-5d8f7-a", "counted-5d8f7-b", "counted-5d8f7-c")) {
            kubernetes.pods().resource(new PodBuilder().withNewMetadata().withNamespace("shop").withName(pod)
                    .withLabels(Map.of("app", "counted")).addNewOwnerReference().withApiVersion("apps/v1")
                    .withKind("ReplicaSet").withName(replicaSet).withUid("uid-rs").withController(true)
                    .endOwnerReference().endMetadata().withNewSpec().addNewContainer().withName("app")
                    .withImage("example/web:1.0").endContainer().endSpec().build()).create();
        }
        // The operator's own looks are over once it has written and its write has reached the cache, which is one
        // more look (OwnPolicyChanges), and the ReplicaSet has been left alone for 3 s: from here on, requests
        // are the test's.
        awaitPolicy("shop", "probe-rewriter-deployment-counted");
        waitFor(() -> cached("shop", "probe-rewriter-deployment-counted").isPresent(), "our policy in the cache");
        RecordedRequest earlier;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(3)) {
            earlier = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS);
            if (earlier != null && earlier.getPath().contains("/replicasets/" + replicaSet)) {
                quietSince = System.nanoTime();
            }
        }

        reconcileNow(counted);

        List<String> reads = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
            if (request.getPath().contains("/replicasets/" + replicaSet)) {
                reads.add(request.getMethod() + " " + request.getPath());
            }
        }
        assertEquals(1, reads.size(), reads.toString());
        assertTrue(read("shop", "probe-rewriter-deployment-counted").isPresent(), "its own pods: no overlap");
    }

    /**
     * A look at a workload reads the namespace's other Deployments, StatefulSets and DaemonSets (whose template labels
     * its policy's selector would also match) from the operator's own caches of them, not with three LISTs: on a
     * cluster of thousands of workloads every resync would otherwise list every namespace once per workload in it.
     */
    @Test
    void aLookAtAWorkloadListsNoWorkloadsFromTheApiServer() throws InterruptedException {
        Deployment listed = create(deployment("shop", "listed", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-listed");
        waitFor(() -> cached("shop", "probe-rewriter-deployment-listed").isPresent(), "our policy in the cache");
        drainRequests(Duration.ofSeconds(1));

        reconcileNow(listed);

        List<String> lists = new ArrayList<>();
        List<String> writes = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
            if ("GET".equals(request.getMethod())
                    && request.getPath().matches("/apis/apps/v1/namespaces/shop/(deployments|statefulsets|daemonsets)(\\?.*)?")) {
                lists.add(request.getPath());
            }
            // This workload's policy only: a create goes to the collection, with the name in the body.
            if (!"GET".equals(request.getMethod()) && request.getPath().contains("/peerauthentications")
                    && (request.getPath().endsWith("/probe-rewriter-deployment-listed")
                    || request.getBody().readUtf8().contains("probe-rewriter-deployment-listed"))) {
                writes.add(request.getMethod() + " " + request.getPath());
            }
        }
        assertEquals(List.of(), lists);
        // What every workload's first look after a restart of the operator is: its policy, found right, is not
        // written again (thousands of workloads, thousands of writes otherwise).
        assertEquals(List.of(), writes, "a look that finds the policy right writes nothing");
        assertTrue(read("shop", "probe-rewriter-deployment-listed").isPresent(), "still its exception");
    }

    /**
     * The pods a policy would select are listed once per look, from the API server's watch cache
     * ({@code resourceVersion=0}) rather than read through to etcd: thousands of workloads, each looked at every resync,
     * would otherwise read every pod of their namespace from etcd each time (label selectors are applied after the read).
     */
    @Test
    void thePodsOfAWorkloadAreListedOncePerLookFromTheWatchCache() throws InterruptedException {
        Deployment selecting = create(deployment("shop", "selecting", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-selecting");
        waitFor(() -> cached("shop", "probe-rewriter-deployment-selecting").isPresent(), "our policy in the cache");
        drainRequests(Duration.ofSeconds(1));

        reconcileNow(selecting);

        List<String> podLists = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
            if ("GET".equals(request.getMethod()) && request.getPath().startsWith("/api/v1/namespaces/shop/pods?")
                    && request.getPath().contains("labelSelector=app%3Dselecting")) {
                podLists.add(request.getPath());
            }
        }
        assertEquals(1, podLists.size(), podLists.toString());
        assertTrue(podLists.get(0).contains("resourceVersion=0"), podLists.get(0));
    }

    /** Spring Boot's Actuator on its management port, already probed there: the seeds' workaround half done. */
    @Test
    void aProbeAlreadyOnItsHealthPortGetsTheExceptionToo() throws InterruptedException {
        Deployment management = new DeploymentBuilder(deployment("shop", "actuator", "health")).editSpec()
                .editTemplate().editSpec().editFirstContainer().editLivenessProbe().editHttpGet()
                .withPort(new IntOrString("health")).endHttpGet().endLivenessProbe().endContainer().endSpec()
                .endTemplate().endSpec().build();
        create(management);
        GenericKubernetesResource policy = awaitPolicy("shop", "probe-rewriter-deployment-actuator");
        Map<?, ?> spec = (Map<?, ?>) policy.getAdditionalProperties().get("spec");
        assertEquals(Map.of("8081", Map.of("mode", "PERMISSIVE")), spec.get("portLevelMtls"),
                "the named health port, as its number");
        // The next look (the resync) reads the caches holding that very policy: it is no reason to change anything.
        waitFor(() -> cached("shop", "probe-rewriter-deployment-actuator"), "the policy in the resolver's cache");
        reconcileNow(management);
        assertTrue(read("shop", "probe-rewriter-deployment-actuator").isPresent(),
                "kept at the resync, not deleted for the PERMISSIVE port it made itself");
    }

    @Test
    void statefulSetsGetTheirsToo() throws InterruptedException {
        Deployment template = deployment("shop", "db", "8081");
        StatefulSet db = kubernetes.apps().statefulSets().resource(new StatefulSetBuilder()
                .withMetadata(template.getMetadata())
                .withNewSpec().withServiceName("db").withSelector(template.getSpec().getSelector())
                .withTemplate(template.getSpec().getTemplate()).endSpec().build()).create();
        OwnerReference owner = awaitPolicy("shop", "probe-rewriter-statefulset-db").getMetadata().getOwnerReferences().get(0);
        assertEquals(List.of("StatefulSet", db.getMetadata().getUid()), List.of(owner.getKind(), owner.getUid()));
    }

    @Test
    void updatedWhenTheHealthPortAnnotationChanges() throws InterruptedException {
        create(deployment("shop", "moving", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-moving");
        kubernetes.apps().deployments().inNamespace("shop").withName("moving").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editMetadata().addToAnnotations("probe-rewriter.io/health-port", "8082")
                .endMetadata().endTemplate().endSpec().build());
        waitFor(() -> cached("shop", "probe-rewriter-deployment-moving")
                        .map(p -> ((Map<?, ?>) p.getAdditionalProperties().get("spec")).get("portLevelMtls"))
                        .filter(Map.of("8082", Map.of("mode", "PERMISSIVE"))::equals),
                "portLevelMtls to move to 8082");
    }

    @Test
    void deletedWhenTheModeChangesToExec() throws InterruptedException {
        create(deployment("shop", "switching", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-switching");
        kubernetes.apps().deployments().inNamespace("shop").withName("switching").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editMetadata().addToAnnotations("probe-rewriter.io/mode", "exec")
                .endMetadata().endTemplate().endSpec().build());
        awaitGone("shop", "probe-rewriter-deployment-switching");
    }

    /**
     * The resync period is an hour here: a policy of ours deleted by hand comes back because its deletion reaches the
     * cache and reconciles its workload ({@link OwnPolicyChanges}), and that pass, finding it right, writes nothing
     * more. The same event is what closes the window where a pass ran before our own write reached the cache.
     */
    @Test
    void ourPolicyDeletedByHandIsWrittenBackAtOnceAndOnlyOnce() throws InterruptedException {
        create(deployment("shop", "restored", "8081"));
        GenericKubernetesResource first = awaitPolicy("shop", "probe-rewriter-deployment-restored");
        kubernetes.genericKubernetesResources(PEER_AUTHENTICATION).inNamespace("shop")
                .withName("probe-rewriter-deployment-restored").delete();
        GenericKubernetesResource again = waitFor(() -> read("shop", "probe-rewriter-deployment-restored")
                .filter(p -> !p.getMetadata().getUid().equals(first.getMetadata().getUid())),
                "PeerAuthentication shop/probe-rewriter-deployment-restored written again");
        assertEquals(first.getAdditionalProperties().get("spec"), again.getAdditionalProperties().get("spec"));
        // Its arrival in the cache reconciles the workload once more: a pass that finds it right leaves it alone.
        Thread.sleep(2_000);
        assertEquals(again.getMetadata().getResourceVersion(), read("shop", "probe-rewriter-deployment-restored")
                .orElseThrow().getMetadata().getResourceVersion(), "no write after the policy was found right");
    }

    /**
     * Another controller that deletes our policy whenever it appears (a GitOps tool pruning what is not in its
     * repository): each deletion reconciles the workload at once ({@link OwnPolicyChanges}), so without a limit the two
     * would write and delete at the API server's speed. The workload's looks are held to the rate limit.
     */
    @Test
    void aControllerThatKeepsDeletingOurPolicyMeetsAtMostTheRateLimitsWriteBacks() throws InterruptedException {
        io.micrometer.core.instrument.Counter writes = registry.get(PortExceptionWrites.METRIC)
                .tags("kind", "PeerAuthentication", "action", "written").counter();
        double writesBefore = writes.count();
        create(deployment("shop", "fought", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-fought");
        Set<String> written = new TreeSet<>();
        long end = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < end) {
            read("shop", "probe-rewriter-deployment-fought").ifPresent(policy -> {
                written.add(policy.getMetadata().getUid());
                kubernetes.genericKubernetesResources(PEER_AUTHENTICATION).inNamespace("shop")
                        .withName("probe-rewriter-deployment-fought").delete();
            });
            Thread.sleep(10);
        }
        // The first write and the write-backs the rate limit's window allows; without it, one every few milliseconds.
        assertTrue(written.size() <= PortExceptionRateLimit.LOOKS + 1,
                "policies written in 4 s while another controller deleted each: " + written.size());
        assertTrue(written.size() >= 2, "the policy was written back at least once: " + written.size());
        // Each write-back is counted, which is how a fight shows on a dashboard.
        assertTrue(writes.count() - writesBefore >= written.size(), "writes counted: " + (writes.count() - writesBefore)
                + ", policies seen: " + written.size());
    }

    @Test
    void deletedWhenMtlsIsGoneBecauseThePodsLeaveTheMesh() throws InterruptedException {
        create(deployment("shop", "leaving", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-leaving");
        kubernetes.apps().deployments().inNamespace("shop").withName("leaving").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editMetadata().addToLabels("sidecar.istio.io/inject", "false")
                .endMetadata().endTemplate().endSpec().build());
        awaitGone("shop", "probe-rewriter-deployment-leaving");
    }

    @Test
    void notCreatedWhenTheNamespaceIsPermissive() throws InterruptedException {
        assertNothingFor(create(deployment("relaxed", "calm", "8081")));
    }

    @Test
    void notCreatedWhereTheNamespaceIsNotOptedIn() throws InterruptedException {
        assertNothingFor(create(deployment("outside", "stranger", "8081")));
    }

    @Test
    void notCreatedForExecMode() throws InterruptedException {
        Deployment exec = new DeploymentBuilder(deployment("shop", "execing", "8081")).editSpec().editTemplate()
                .editMetadata().addToAnnotations("probe-rewriter.io/mode", "exec").endMetadata()
                .endTemplate().endSpec().build();
        assertNothingFor(create(exec));
    }

    /** Istio reads its root namespace from its mesh config: so does the operator, as the webhook's resolver does. */
    @Test
    void theMeshConfigsRootNamespaceGetsNoWorkloadPolicy() throws InterruptedException {
        ConfigMap meshConfig = new ConfigMapBuilder().withNewMetadata().withNamespace("istio-system").withName("istio")
                .endMetadata().withData(Map.of("mesh", "rootNamespace: shop\n")).build();
        kubernetes.configMaps().resource(meshConfig).createOr(NonDeletingOperation::update);
        try {
            waitFor(() -> resolver.cache().istioConfigMaps().stream()
                    .anyMatch(c -> "istio".equals(c.getMetadata().getName())), "the mesh config in the cache");
            Deployment rooted = create(deployment("shop", "rooted", "8081"));

            reconcileNow(rooted);

            waitFor(() -> warningOn(rooted, PortExceptionPlanner.REASON_ROOT_NAMESPACE),
                    "a PortExceptionRootNamespace event on the Deployment");
            assertTrue(read("shop", "probe-rewriter-deployment-rooted").isEmpty());
        } finally {
            kubernetes.configMaps().resource(meshConfig).delete();
            waitFor(() -> resolver.cache().istioConfigMaps().stream()
                    .noneMatch(c -> "istio".equals(c.getMetadata().getName())), "the mesh config gone");
        }
    }

    @Test
    void anOlderForeignPolicyOnTheSamePodsGivesAWarningEventNamingBoth() throws InterruptedException {
        GenericKubernetesResource theirs = Workloads.foreignPeerAuthentication("shop", "conflicted-strict", null,
                Map.of("app", "conflicted"), "STRICT", null);
        kubernetes.genericKubernetesResources(PEER_AUTHENTICATION).inNamespace("shop").resource(theirs).create();
        waitFor(() -> cached("shop", "conflicted-strict").isPresent(), "the foreign policy in the cache");

        Deployment conflicted = create(deployment("shop", "conflicted", "8081"));
        Event event = waitFor(() -> kubernetes.v1().events().inNamespace("shop").list().getItems().stream()
                .filter(e -> "conflicted".equals(e.getInvolvedObject().getName()))
                .filter(e -> PortExceptionPlanner.REASON_CONFLICT.equals(e.getReason()))
                .findFirst(), "a PortExceptionConflict event on the Deployment");
        assertEquals("Warning", event.getType());
        assertEquals(List.of("Deployment", conflicted.getMetadata().getUid()),
                List.of(event.getInvolvedObject().getKind(), event.getInvolvedObject().getUid()));
        assertTrue(event.getMessage().contains("PeerAuthentication shop/conflicted-strict"), event.getMessage());
        assertTrue(event.getMessage().contains("PeerAuthentication shop/probe-rewriter-deployment-conflicted"),
                event.getMessage());
        assertTrue(read("shop", "probe-rewriter-deployment-conflicted").isEmpty(), "ours would be ignored: not written");
    }

    @Test
    void legacyPolicyForTheServicesThatReachTheHealthPort() throws InterruptedException {
        assumeTrue(resolver.choice().orElseThrow().apis().policy(), "the cluster serves no v1alpha1 Policy");
        kubernetes.services().resource(Workloads.service("shop", "legacy", true)).create();
        // A Service of the health port alone: a v1alpha1 Policy can only name service ports.
        kubernetes.services().resource(new io.fabric8.kubernetes.api.model.ServiceBuilder(
                Workloads.service("shop", "legacy", true)).editMetadata().withName("legacy-svc").endMetadata()
                .editSpec().withSelector(Map.of("app", "legacy"))
                .withPorts(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName("health").withPort(9000)
                        .withTargetPort(new IntOrString("health")).build())
                .endSpec().build()).create();
        awaitCachedService("legacy-svc");
        create(deployment("shop", "legacy", "8081"));
        GenericKubernetesResource policy = waitFor(() -> Optional.ofNullable(kubernetes
                        .genericKubernetesResources(IstioApis.context(IstioKind.POLICY)).inNamespace("shop")
                        .withName("probe-rewriter-deployment-legacy").get()),
                "the v1alpha1 Policy");
        assertEquals("probe-rewriter", policy.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals(Map.of("targets", List.of(Map.of("name", "legacy-svc", "ports", List.of(Map.of("number", 9000))))),
                policy.getAdditionalProperties().get("spec"));
        assertEquals("legacy", policy.getMetadata().getOwnerReferences().get(0).getName());
    }

    /** A health port the app's Service also sends to serves the app: no exception is written for it. */
    @Test
    void aHealthPortTheAppsServiceSendsToGetsNoException() throws InterruptedException {
        kubernetes.services().resource(new io.fabric8.kubernetes.api.model.ServiceBuilder(
                Workloads.service("shop", "served", true)).editSpec().withSelector(Map.of("app", "served")).endSpec()
                .build()).create();
        awaitCachedService("served");
        Deployment served = create(deployment("shop", "served", "8081"));
        Event event = waitFor(() -> warningOn(served, PortExceptionScope.REASON_SERVING_PORT), "the warning");
        assertTrue(event.getMessage().contains("health port 8081 of Deployment shop/served receives the traffic of"
                + " Service shop/served"), event.getMessage());
        assertNothingFor(served);
    }

    /**
     * The app's Service was in the cluster before the process started, so no wait for a watch event can stand in for
     * the reconciler's own look at the Services: it must have watched them before deciding, on any mesh.
     */
    @Test
    void aServiceFromBeforeTheStartKeepsTheHealthPortItSendsToInMtls() throws InterruptedException {
        Deployment billing = create(deployment("shop", BILLING, "8081"));
        Event event = waitFor(() -> warningOn(billing, PortExceptionScope.REASON_SERVING_PORT), "the warning");
        assertTrue(event.getMessage().contains("receives the traffic of Service shop/" + BILLING), event.getMessage());
        assertNothingFor(billing);
    }

    /** Istio's CRDs of the subclass's cluster, and the Service of workload {@value #BILLING}, before the app starts. */
    static void withAppServiceBeforeStart(IstioCrds crds, KubernetesServer server) {
        crds.accept(server);
        server.getClient().services().resource(new ServiceBuilder(Workloads.service("shop", BILLING, true))
                .editSpec().withSelector(Map.of("app", BILLING)).endSpec().build()).create();
    }

    /**
     * A policy selects by the template's labels: a workload that appears later with those labels too would have its
     * pods selected, so the policy goes, and the newcomer's own (with its extra label) is exact.
     */
    @Test
    void aPolicyThatWouldReachAnotherWorkloadsPodsIsDeleted() throws InterruptedException {
        Deployment first = create(deployment("shop", "twin", "8081"));
        awaitPolicy("shop", "probe-rewriter-deployment-twin");
        Deployment second = create(new DeploymentBuilder(deployment("shop", "twin-b", "8081")).editSpec()
                .editTemplate().editMetadata().withLabels(Map.of("app", "twin", "track", "b")).endMetadata()
                .endTemplate().endSpec().build());
        awaitGone("shop", "probe-rewriter-deployment-twin");
        Event event = waitFor(() -> warningOn(second, PortExceptionScope.REASON_OVERLAP), "the warning");
        assertTrue(event.getMessage().contains("PeerAuthentication shop/probe-rewriter-deployment-twin was made for"
                + " another workload"), event.getMessage());
        awaitPolicy("shop", "probe-rewriter-deployment-twin-b");
        // The first, reconciled again, now sees the overlap and writes nothing, with a warning.
        kubernetes.apps().deployments().resource(first).edit(d -> new DeploymentBuilder(d).editSpec()
                .withReplicas(2).endSpec().build());
        Event overlap = waitFor(() -> warningOn(first, PortExceptionScope.REASON_OVERLAP), "the first's warning");
        assertTrue(overlap.getMessage().contains("are also on Deployment shop/twin-b"), overlap.getMessage());
        assertTrue(read("shop", "probe-rewriter-deployment-twin").isEmpty());
    }

    /**
     * Until the Service is in the cache the reconcilers read, if Services are watched yet. On a current mesh only the
     * port exceptions watch them, from their first look at a workload, which then lists the Service; the test must
     * not start the watch itself, or it would stand in for the reconciler's own.
     */
    private void awaitCachedService(String name) throws InterruptedException {
        waitFor(() -> !resolver.cache().watchingServices() || resolver.cache().services().stream()
                .anyMatch(s -> name.equals(s.getMetadata().getName())), "Service " + name + " in the cache");
    }

    private Optional<Event> warningOn(HasMetadata workload, String reason) {
        return kubernetes.v1().events().inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .filter(e -> workload.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .findFirst();
    }

    // --------------------------------------------------------------------------------------------------------------

    /** Labels {@code app: <name>} only, so that tests do not select each other's pods. */
    /**
     * A pod the webhook configuration's objectSelector keeps away from the webhook (Helm's webhook.objectSelector)
     * keeps its probes: a PERMISSIVE exception for it would take a port out of mTLS for nothing. With
     * matchConditions, which the operator cannot evaluate, no exception is written at all.
     */
    @Test
    void notCreatedForPodsTheWebhookConfigurationKeepsAwayNorUnderMatchConditions() throws InterruptedException {
        MutatingWebhookConfiguration configuration = new MutatingWebhookConfigurationBuilder().withNewMetadata()
                .withName("probe-rewriter").endMetadata().addNewWebhook().withName("probes.probe-rewriter.io")
                .withNewObjectSelector().addNewMatchExpression().withKey("probe-rewriter.io/skip")
                .withOperator("DoesNotExist").endMatchExpression().endObjectSelector()
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook().build();
        kubernetes.resource(configuration).create();
        try {
            waitFor(() -> webhookScope.current().filter(WebhookScope::known).isPresent(),
                    "the webhook configuration in the operator's cache");
            // The selectors send this one: its policy is written (and the caches the decision needs are ready).
            create(deployment("shop", "conditional", "8081"));
            awaitPolicy("shop", "probe-rewriter-deployment-conditional");
            assertNothingFor(create(new DeploymentBuilder(deployment("shop", "skipped", "8081")).editSpec()
                    .editTemplate().editMetadata().addToLabels("probe-rewriter.io/skip", "true").endMetadata()
                    .endTemplate().endSpec().build()));

            kubernetes.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter")
                    .edit(c -> new MutatingWebhookConfigurationBuilder(c).editFirstWebhook().addNewMatchCondition()
                            .withName("not-batch").withExpression("!('batch' in object.metadata.labels)")
                            .endMatchCondition().endWebhook().build());
            waitFor(() -> webhookScope.current().filter(WebhookScope::hasMatchConditions).isPresent(),
                    "the matchConditions in the operator's cache");
            reconcileNow(kubernetes.apps().deployments().inNamespace("shop").withName("conditional").get());
            awaitGone("shop", "probe-rewriter-deployment-conditional");
        } finally {
            kubernetes.resource(configuration).delete();
            waitFor(() -> webhookScope.current().filter(scope -> !scope.known()).isPresent(),
                    "the webhook configuration gone from the operator's cache");
        }
    }

    private static Deployment deployment(String namespace, String name, String healthPort) {
        return Workloads.portMode(namespace, name, healthPort)
                .editMetadata().withUid(null).endMetadata()
                .editSpec().withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .editTemplate().editMetadata().withLabels(Map.of("app", name)).endMetadata().endTemplate()
                .endSpec().build();
    }

    private Deployment create(Deployment deployment) {
        return kubernetes.apps().deployments().resource(deployment).create();
    }

    /**
     * The reconciler's decision on the workload, made now: a decision (the next look at the resync period) rather
     * than a wait for caches or an idle reconciler, and no policy for the workload afterwards.
     */
    private void assertNothingFor(HasMetadata workload) throws InterruptedException {
        UpdateControl<?> decision = reconcileNow(workload);
        assertAtTheResyncPeriod(decision.getScheduleDelay());
        String name = "probe-rewriter-" + workload.getKind().toLowerCase() + "-" + workload.getMetadata().getName();
        assertTrue(read(workload.getMetadata().getNamespace(), name).isEmpty());
    }

    /** The resync period of the profile (1 h), put off by at most a fifth, as each workload is. */
    private static void assertAtTheResyncPeriod(Optional<Long> delay) {
        long period = Duration.ofHours(1).toMillis();
        assertTrue(delay.isPresent() && delay.get() >= period && delay.get() < period + period / 5,
                "decided, at the resync period: " + delay);
    }

    /** Takes the requests made so far, until none has come for {@code quiet}: what follows is the test's. */
    private void drainRequests(Duration quiet) throws InterruptedException {
        while (server.getKubernetesMockServer().takeRequest(quiet.toMillis(), TimeUnit.MILLISECONDS) != null) {
            // the operator's earlier looks
        }
    }

    private UpdateControl<?> reconcileNow(HasMetadata workload) {
        String namespace = workload.getMetadata().getNamespace();
        String name = workload.getMetadata().getName();
        if (workload instanceof Deployment) {
            Deployment current = kubernetes.apps().deployments().inNamespace(namespace).withName(name).get();
            return sync.reconcile(current, current.getSpec().getTemplate());
        }
        StatefulSet current = kubernetes.apps().statefulSets().inNamespace(namespace).withName(name).get();
        return sync.reconcile(current, current.getSpec().getTemplate());
    }

    private void namespace(String name, boolean optedIn, String mode) {
        Map<String, String> labels = new HashMap<>(Map.of("istio-injection", "enabled"));
        if (optedIn) {
            labels.put("probe-rewriter.io/enabled", "true");
        }
        // The health ports of the test workloads (Workloads declares 8081 and 8082), allowed by the namespace.
        kubernetes.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .withAnnotations(Map.of("probe-rewriter.io/allowed-health-ports", "8081-8082"))
                .endMetadata().build()).createOr(NonDeletingOperation::update);
        kubernetes.genericKubernetesResources(PEER_AUTHENTICATION).inNamespace(name).resource(
                        Workloads.foreignPeerAuthentication(name, "default", null, null, mode, null))
                .createOr(NonDeletingOperation::update);
    }

    private GenericKubernetesResource awaitPolicy(String namespace, String name) throws InterruptedException {
        return waitFor(() -> read(namespace, name), "PeerAuthentication " + namespace + "/" + name);
    }

    private void awaitGone(String namespace, String name) throws InterruptedException {
        waitFor(() -> read(namespace, name).isEmpty(), "PeerAuthentication " + namespace + "/" + name + " to go");
    }

    private Optional<GenericKubernetesResource> read(String namespace, String name) {
        return Optional.ofNullable(kubernetes.genericKubernetesResources(PEER_AUTHENTICATION).inNamespace(namespace)
                .withName(name).get());
    }

    private Optional<GenericKubernetesResource> cached(String namespace, String name) {
        return resolver.cache().policies().stream().filter(p -> "PeerAuthentication".equals(p.getKind()))
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))
                .findFirst();
    }
}
