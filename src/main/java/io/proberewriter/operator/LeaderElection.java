package io.proberewriter.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.proberewriter.config.ProbeRewriterConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * One replica writes, every replica serves: the reconcilers run only in the holder of a Lease in probe-rewriter's
 * namespace, while the webhook answers on all of them. The extension uses this in the prod profile
 * (quarkus.operator-sdk.activate-leader-election-for-profiles).
 *
 * <p>A leader that cannot renew its Lease exits (java-operator-sdk's rule, so that two replicas never reconcile at
 * once) and the kubelet restarts it; the other replicas go on serving admissions. The renew deadline is longer
 * than client-go's default so that an API server gone for a few seconds costs no restart.
 */
@Singleton
public class LeaderElection {

    static final Duration LEASE_DURATION = Duration.ofSeconds(30);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(20);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(4);

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(ProbeRewriterConfig config) {
        LeaderElectionConfigurationBuilder builder = LeaderElectionConfigurationBuilder
                .aLeaderElectionConfiguration(config.operator().leaseName())
                .withLeaseNamespace(config.namespace())
                .withLeaseDuration(LEASE_DURATION)
                .withRenewDeadline(RENEW_DEADLINE)
                .withRetryPeriod(RETRY_PERIOD);
        // The pod name, so that `kubectl get lease` tells which replica writes.
        Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).ifPresent(builder::withIdentity);
        return builder.build();
    }
}
