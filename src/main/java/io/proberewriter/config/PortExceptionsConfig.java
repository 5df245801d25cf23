package io.proberewriter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/**
 * The port-level mTLS exceptions the operator writes for port-mode health ports. Its own mapping, so that this
 * concern can be switched and tuned without touching the rest of the configuration.
 */
@ConfigMapping(prefix = "probe-rewriter.operator.port-exceptions")
public interface PortExceptionsConfig {

    /** Off: the reconcilers are not registered, watch nothing and need no RBAC. */
    @WithDefault("true")
    boolean enabled();

    /** What the health port gets in {@code portLevelMtls}. */
    @WithDefault("PERMISSIVE")
    ExceptionMode mode();

    /** Also write the seeds' {@code authentication.istio.io/v1alpha1} Policy, where the cluster serves it. */
    @WithName("legacy-policy")
    @WithDefault("false")
    boolean legacyPolicy();

    /**
     * How often every workload is looked at again without a change of its own: namespace labels, policies and
     * Services change the answer too, and none of them triggers a reconciliation of the workload.
     */
    @WithName("resync-period")
    @WithDefault("5m")
    Duration resyncPeriod();
}
