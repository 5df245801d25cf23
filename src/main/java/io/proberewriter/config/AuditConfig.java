package io.proberewriter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/**
 * The audit of running pods (docs/audit.md), under {@code probe-rewriter.operator.audit.*}
 * (environment: {@code PROBE_REWRITER_OPERATOR_AUDIT_*}).
 */
@ConfigMapping(prefix = "probe-rewriter.operator.audit")
public interface AuditConfig {

    /** Run the audit. Off: pods are not watched, and no Event, gauge or restart comes from it. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Restart the controller of a broken pod whose namespace asks for it ({@code probe-rewriter.io/remediate}). Off
     * by default: a restart is a patch of a Deployment, StatefulSet or DaemonSet, and the right to patch every
     * workload of the cluster is as good as cluster-admin (a patched pod template runs any image under any
     * ServiceAccount of its namespace), so the install grants it only when this is on (Helm
     * {@code operator.audit.remediation.enabled}, kustomize {@code k8s/components/remediation}). Off, such a pod
     * gets an Event saying that remediation is off here instead of a restart.
     */
    @WithName("remediation.enabled")
    @WithDefault("false")
    boolean remediationEnabled();

    /**
     * The least time between two restarts of the same controller. The controller's own
     * {@code kubectl.kubernetes.io/restartedAt} is the record, so the limit holds across restarts and leader changes,
     * and a restart made by hand counts too.
     */
    @WithName("remediation-interval")
    @WithDefault("1h")
    Duration remediationInterval();

    /**
     * How often every pod is looked at again without a change of its own, so that a namespace that opts in or out,
     * a new {@code probe-rewriter.io/remediate} or a changed mesh policy are noticed.
     */
    @WithName("recheck-interval")
    @WithDefault("5m")
    Duration recheckInterval();

    /**
     * How often a pod that stays broken is reported again: its Event's count goes up at most this often, so a
     * re-check does not write to the API server every time. Under the API server's Event time to live
     * ({@code --event-ttl}, 1h by default) with a re-check to spare, so that the same Event is counted again rather
     * than expired and made anew, and a broken pod is never without one.
     */
    @WithName("event-interval")
    @WithDefault("45m")
    Duration eventInterval();
}
