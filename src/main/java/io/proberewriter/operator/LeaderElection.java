package io.proberewriter.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.proberewriter.config.ProbeRewriterConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * One replica writes, every replica serves: the reconcilers run only in the holder of a Lease in probe-rewriter's
 * namespace, while the webhook answers on all of them. The extension uses this in the prod profile
 * (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@Singleton
public class LeaderElection {

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(ProbeRewriterConfig config) {
        LeaderElectionConfigurationBuilder builder = LeaderElectionConfigurationBuilder
                .aLeaderElectionConfiguration(config.operator().leaseName())
                .withLeaseNamespace(config.namespace());
        // The pod name, so that `kubectl get lease` tells which replica writes.
        Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).ifPresent(builder::withIdentity);
        return builder.build();
    }
}
