package io.proberewriter.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One replica writes, every replica serves: the reconcilers run only in the holder of a Lease in probe-rewriter's
 * namespace, while the webhook answers on all of them. The extension uses this in the prod profile
 * (quarkus.operator-sdk.activate-leader-election-for-profiles).
 *
 * <p>A leader that loses its Lease (it could not renew it within the deadline: the API server gone, the pod
 * partitioned) must stop writing at once, so that two replicas never reconcile together: it shuts down, and the
 * kubelet restarts it; the other replicas go on serving admissions. java-operator-sdk would call
 * {@code System.exit} for that, which hangs when it happens during a shutdown already under way (a SIGTERM stops the
 * operator, and stopping gives the Lease up); this class asks Quarkus for a graceful exit instead, and not at all
 * when the application is already stopping. The renew deadline is longer than client-go's default so that an API
 * server gone for a few seconds costs no restart.
 */
@Singleton
public class LeaderElection {

    static final Duration LEASE_DURATION = Duration.ofSeconds(30);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(20);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(4);
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    private final Leadership leadership;
    private volatile boolean stopping;
    /** Who this replica is in the Lease: the pod name when there is one, so that `kubectl get lease` says which. */
    private final String identity = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
            .orElseGet(() -> "probe-rewriter-" + UUID.randomUUID());

    LeaderElection(Leadership leadership) {
        this.leadership = leadership;
    }

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(ProbeRewriterConfig config) {
        LeaderElectionConfigurationBuilder builder = LeaderElectionConfigurationBuilder
                .aLeaderElectionConfiguration(config.operator().leaseName())
                .withLeaseNamespace(config.namespace())
                .withLeaseDuration(LEASE_DURATION)
                .withRenewDeadline(RENEW_DEADLINE)
                .withRetryPeriod(RETRY_PERIOD)
                .withExitOnStopLeading(false)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            leadership.leading(true);
                            LOG.info("Holding the Lease: this replica runs the reconcilers");
                        },
                        this::lostLease,
                        leader -> LOG.infof("The reconcilers run in %s", leader)))
                .withIdentity(identity);
        return builder.build();
    }

    /**
     * After the reconcilers have stopped: gives the Lease up if this replica holds it, so that the next leader
     * starts within a retry period rather than a lease duration.
     */
    void release(KubernetesClient client, ProbeRewriterConfig config) {
        LeaseRelease.release(client, config.namespace(), config.operator().leaseName(), identity, Clock.systemUTC());
    }

    /** Before the operator stops (its stop gives the Lease up, which is no reason to exit again). */
    void stopping(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    void lostLease() {
        leadership.leading(false);
        if (stopping) {
            return;
        }
        LOG.error("Lost the Lease: shutting down so that no other replica's reconcilers run alongside these; the"
                + " kubelet restarts this pod");
        Quarkus.asyncExit(1);
    }
}
