package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.operator.LeaseReleaseAccess;
import io.proberewriter.polling.Eventually;
import jakarta.enterprise.inject.Vetoed;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * N replicas, one writer: two operators (as two replicas would run them) share a Lease in the mock API server.
 * Only the holder reconciles; when it stops, the other takes the Lease and puts a blanked caBundle back.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

    static final String NAMESPACE = "probe-rewriter-system";

    KubernetesMockServer server;
    KubernetesClient client;

    private Operator first;
    private Operator second;

    /**
     * The certificate reconciler, counting the reconciliations that ran in this replica. Vetoed: the extension would
     * otherwise make it a bean of the Quarkus test application and register it there.
     */
    @Vetoed
    static final class CountingReconciler extends CertificateReconciler {
        final AtomicInteger reconciliations = new AtomicInteger();

        CountingReconciler(ProbeRewriterConfig config, KubernetesClient client) {
            super(config, client, Clock.systemUTC());
        }

        @Override
        public UpdateControl<MutatingWebhookConfiguration> reconcile(MutatingWebhookConfiguration resource,
                                                                     Context<MutatingWebhookConfiguration> context) {
            reconciliations.incrementAndGet();
            return super.reconcile(resource, context);
        }
    }

    @AfterEach
    void stop() {
        for (Operator operator : new Operator[] {first, second}) {
            if (operator != null) {
                operator.stop();
            }
        }
    }

    @Test
    void onlyTheLeaseHolderWritesAndAnotherReplicaTakesOver() throws Exception {
        allowLeases();
        ShippedWebhookConfiguration.createIn(client);

        CountingReconciler a = new CountingReconciler(config(), client);
        first = operator("replica-a", a);
        first.start();
        await("replica-a holds the Lease", () -> "replica-a".equals(holder()));
        await("replica-a wrote the caBundle", () -> !caBundle().isEmpty());

        CountingReconciler b = new CountingReconciler(config(), client);
        second = operator("replica-b", b);
        second.start();
        blankCaBundle();
        await("the blanked caBundle is restored", () -> !caBundle().isEmpty());
        assertEquals("replica-a", holder());
        assertEquals(0, b.reconciliations.get(), "the replica without the Lease reconciles nothing");

        first.stop();
        first = null;
        await("replica-b takes the Lease", () -> "replica-b".equals(holder()));
        await("replica-b reconciles", () -> b.reconciliations.get() > 0);
        blankCaBundle();
        await("the new leader restores the blanked caBundle", () -> !caBundle().isEmpty());
        assertTrue(a.reconciliations.get() > 0);
    }

    /**
     * A leader that stops gives its Lease up, so that the next leader starts at its next try rather than when the
     * Lease expires: here a minute, far beyond what the test waits.
     */
    @Test
    void aStoppingLeaderGivesItsLeaseUpAndTheNextTakesOverAtOnce() throws Exception {
        allowLeases();
        CountingReconciler a = new CountingReconciler(config(), client);
        first = operator("replica-a", a, Duration.ofSeconds(60));
        first.start();
        await("replica-a holds the Lease", () -> "replica-a".equals(holder()));
        CountingReconciler b = new CountingReconciler(config(), client);
        second = operator("replica-b", b, Duration.ofSeconds(60));
        second.start();

        assertFalse(LeaseReleaseAccess.release(client, NAMESPACE, "replica-b"), "not b's Lease to give up");
        assertEquals("replica-a", holder());
        first.stop();
        first = null;
        assertTrue(LeaseReleaseAccess.release(client, NAMESPACE, "replica-a"));
        Eventually.until("replica-b takes the given-up Lease well before it would expire", Duration.ofSeconds(10),
                () -> "replica-b".equals(holder()));
    }

    /**
     * java-operator-sdk checks its Lease permissions first; the mock server has no RBAC to answer that, so this
     * answers what the API server says for the shipped Role (k8s/base/rbac-leader-election.yaml): create without a
     * name, the rest of the one Lease by name. The check counts a rule that names its Lease.
     */
    private void allowLeases() {
        SelfSubjectRulesReview allowed = new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .addNewResourceRule().addToApiGroups("coordination.k8s.io").addToResources("leases")
                .addToVerbs("create").endResourceRule()
                .addNewResourceRule().addToApiGroups("coordination.k8s.io").addToResources("leases")
                .addToResourceNames("probe-rewriter-operator").addToVerbs("get", "update", "patch").endResourceRule()
                .withIncomplete(false).endStatus().build();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, allowed).always();
    }

    private Operator operator(String identity, CertificateReconciler reconciler) {
        // Renewed every 200 ms, but a replica that cannot renew for the renew deadline (0.5 s less) gives the
        // Lease up: a loaded machine's stall of a second or two must not hand it over while the test looks.
        return operator(identity, reconciler, Duration.ofSeconds(10));
    }

    private Operator operator(String identity, CertificateReconciler reconciler, Duration leaseDuration) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client)
                .withCloseClientOnStop(false)
                .withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration("probe-rewriter-operator")
                        .withLeaseNamespace(NAMESPACE)
                        .withIdentity(identity)
                        .withLeaseDuration(leaseDuration)
                        .withRenewDeadline(leaseDuration.minusMillis(500))
                        .withRetryPeriod(Duration.ofMillis(200))
                        // In a pod the process exits on losing the Lease; here that would end the test JVM.
                        .withExitOnStopLeading(false)
                        .build()));
        operator.register(reconciler);
        return operator;
    }

    private static ProbeRewriterConfig config() {
        return ConfigMappings.read(ProbeRewriterConfig.class, Map.of("probe-rewriter.namespace", NAMESPACE));
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName("probe-rewriter-operator").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private String caBundle() {
        return Optional.ofNullable(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                        .withName("probe-rewriter").get().getWebhooks().get(0).getClientConfig().getCaBundle())
                .orElse("");
    }

    private void blankCaBundle() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(""));
            return c;
        });
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Eventually.until(what, Duration.ofSeconds(30), condition);
    }
}
