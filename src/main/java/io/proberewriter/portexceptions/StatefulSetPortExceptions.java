package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.proberewriter.cluster.ListPages;
import io.proberewriter.cluster.ManagedFieldsDroppingStore;
import io.proberewriter.operator.OptionalReconciler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Port-level mTLS exceptions for the health ports of StatefulSets; the work is in {@link PortExceptionSync}. */
@ControllerConfiguration(name = "port-exceptions-statefulset",
        informer = @Informer(itemStore = ManagedFieldsDroppingStore.class, informerListLimit = ListPages.SIZE))
@GradualRetry(maxAttempts = PortExceptionRetry.MAX_ATTEMPTS, initialInterval = PortExceptionRetry.INITIAL_INTERVAL_MS,
        intervalMultiplier = PortExceptionRetry.MULTIPLIER, maxInterval = PortExceptionRetry.MAX_INTERVAL_MS)
@RateLimited(maxReconciliations = PortExceptionRateLimit.LOOKS, within = PortExceptionRateLimit.WITHIN_SECONDS,
        unit = TimeUnit.SECONDS)
public class StatefulSetPortExceptions implements Reconciler<StatefulSet>, OptionalReconciler {

    private final PortExceptionSync sync;

    StatefulSetPortExceptions(PortExceptionSync sync) {
        this.sync = sync;
    }

    @Override
    public boolean active() {
        return sync.active();
    }

    /**
     * Our policies' changes reconcile their workload: {@link OwnPolicyChanges}. The cache of StatefulSets is lent to the
     * sync, which reads the namespace's workloads from it ({@link WorkloadCaches}).
     */
    @Override
    public List<EventSource<?, StatefulSet>> prepareEventSources(EventSourceContext<StatefulSet> context) {
        sync.workloadsFrom("StatefulSet", context.getPrimaryCache(), w -> w.getSpec() == null ? null : w.getSpec().getTemplate());
        return List.of(sync.ownPolicyChanges("StatefulSet"));
    }

    @Override
    public UpdateControl<StatefulSet> reconcile(StatefulSet resource, Context<StatefulSet> context) {
        return sync.reconcile(resource, resource.getSpec() == null ? null : resource.getSpec().getTemplate());
    }

    @Override
    public ErrorStatusUpdateControl<StatefulSet> updateErrorStatus(StatefulSet resource, Context<StatefulSet> context,
                                                            Exception e) {
        return sync.afterFailure(resource, context, e);
    }
}
