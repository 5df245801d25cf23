package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.proberewriter.cluster.ListPages;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.cluster.WebhookScopeCache;
import io.proberewriter.config.AuditConfig;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.HandlerKind;
import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.operator.OptionalReconciler;
import io.proberewriter.operator.ResyncSpread;
import io.proberewriter.operator.WarningEvents;
import io.proberewriter.scope.WebhookScope;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The audit of running pods (docs/audit.md): pods that run with a probe mTLS breaks get the seeds' diagnostic as a
 * Warning Event and are counted per namespace; where the namespace asks for it, their controller is restarted so that
 * the pods come back through the webhook. The decisions are {@link PodAudit}, {@link OwnerChain} and
 * {@link RestartSchedule}; this class reads the caches, calls them and writes what they decided.
 *
 * <p>Pods are watched in every namespace, because opting in is a namespace label that can change at any time; pods
 * of namespaces that are not opted in cost a cache entry and a lookup per re-check. Nothing is ever written to a
 * pod: no finalizer, no status. The cache keeps each pod without what the audit never reads ({@link AuditedPodStore}).
 */
@Singleton
@ControllerConfiguration(name = AuditReconciler.NAME,
        informer = @Informer(itemStore = AuditedPodStore.class, informerListLimit = ListPages.SIZE))
// API errors (an Event or a patch refused, a conflict with a concurrent restart) are retried with back-off; after the
// last attempt the pod is looked at again at the next re-check (updateErrorStatus).
@GradualRetry(maxAttempts = 5, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 60_000)
public class AuditReconciler implements Reconciler<Pod>, OptionalReconciler {

    public static final String NAME = "audit";
    /** The reason of the Warning Event that carries the seeds' diagnostic. */
    public static final String INCOMPATIBLE = "ProbeIncompatibleWithMtls";

    private static final Logger LOG = Logger.getLogger(AuditReconciler.class);
    /** Where an install grants the right to restart, for the messages that say it is missing. */
    static final String HOW_TO_ENABLE = "Helm value operator.audit.remediation.enabled=true, or the kustomize"
            + " component k8s/components/remediation (docs/audit.md#remediation)";
    /** How soon to look again while the caches the webhook judges by are not ready. */
    private static final Duration NOT_READY_DELAY = Duration.ofSeconds(5);

    private final AuditConfig config;
    private final String ownNamespace;
    private final boolean namespacesWatched;
    private final NamespaceCache namespaces;
    private final WebhookMtlsResolver resolver;
    private final WebhookScopeCache webhookScope;
    private final ProbeRewriter engine;
    private final BrokenPods brokenPods;
    private final ControllerRestarts restarts;
    private final WarningEvents events;
    private final Clock clock;

    AuditReconciler(AuditConfig config, ProbeRewriterConfig global, NamespaceCache namespaces,
                    WebhookMtlsResolver resolver, WebhookScopeCache webhookScope, ProbeRewriter engine,
                    BrokenPods brokenPods, ControllerRestarts restarts, WarningEvents events, Clock clock) {
        this.config = config;
        this.ownNamespace = global.namespace();
        this.namespacesWatched = global.namespaces().watch();
        this.namespaces = namespaces;
        this.resolver = resolver;
        this.webhookScope = webhookScope;
        this.engine = engine;
        this.brokenPods = brokenPods;
        this.restarts = restarts;
        this.events = events;
        this.clock = clock;
    }

    /** Without the namespace watch, opt-in labels and remediate annotations are unknown: nothing could be audited. */
    @Override
    public boolean active() {
        if (config.enabled() && !namespacesWatched) {
            LOG.warn("Audit of running pods switched off: it needs the namespace watch"
                    + " (probe-rewriter.namespaces.watch=true) to know which namespaces are opted in");
        }
        boolean active = config.enabled() && namespacesWatched;
        if (active && !config.remediationEnabled()) {
            LOG.info("Audit remediation is off (probe-rewriter.operator.audit.remediation.enabled=false): pods of"
                    + " namespaces annotated probe-rewriter.io/remediate get an Event saying so, and no restart");
        }
        return active;
    }

    /**
     * Besides the pods: their namespaces, so that opting a namespace in (or setting its mode, or remediate) has its
     * pods audited at once rather than at their next re-check. A namespace change maps to every pod of it.
     */
    @Override
    public List<EventSource<?, Pod>> prepareEventSources(EventSourceContext<Pod> context) {
        brokenPods.deletionsFrom(context.getPrimaryCache());
        return List.of(new NamespaceChanges(namespaces, context.getPrimaryCache(), brokenPods::namespaceDeleted));
    }

    @Override
    public UpdateControl<Pod> reconcile(Pod pod, Context<Pod> context) {
        Optional<WebhookScope> scope = webhookScope.current();
        if (!namespaces.synced() || !resolver.ready() || scope.isEmpty()) {
            // Judged now, an empty namespace cache would read as "not opted in", the resolver would still be
            // assume-all and every pod would count as sent to the webhook: the audit must see the pod as the webhook
            // does, or it would restart for nothing.
            return UpdateControl.<Pod>noUpdate().rescheduleAfter(NOT_READY_DELAY);
        }
        String namespace = pod.getMetadata().getNamespace();
        PodFinding finding = PodAudit.examine(pod, namespaces.view(namespace), ownNamespace, scope.get(), engine);
        if (!finding.isBroken()) {
            brokenPods.notBroken(ResourceID.fromResource(pod));
            return recheck(pod);
        }
        Instant now = clock.instant();
        // Events are rate-limited per pod (BrokenPods), so a re-check every few minutes writes nothing new.
        boolean report = brokenPods.broken(pod, finding.brokenKinds(), now, config.eventInterval());
        if (report) {
            LOG.infof("Pod %s/%s runs with probes broken by mTLS (%s): %s", namespace, pod.getMetadata().getName(),
                    finding.why(), finding.broken());
            for (HandlerKind kind : finding.brokenKindsInOrder()) {
                events.warn(pod, INCOMPATIBLE, IncompatibleProbeMessage.format(pod.getMetadata().getName(), namespace,
                        kind));
            }
        }
        switch (finding.remediation()) {
            case RESTART_CONTROLLER -> remediate(pod, finding, now, report);
            case WEBHOOK_MAY_NOT_SEE_IT -> {
                if (report) {
                    restarts.notRestarted(pod, finding.why() + ": whether a new pod would be rewritten is not known,"
                            + " so the audit restarts nothing on its own judgement; restart it yourself if it would");
                }
            }
            case WEBHOOK_WOULD_NOT_FIX -> {
                if (report) {
                    restarts.notRestarted(pod, "a new pod would be admitted with the same probes broken ("
                            + finding.why() + "); the webhook's warnings or `probe-rewriter analyze` say why");
                }
            }
            case NOT_ASKED -> {
            }
        }
        return recheck(pod);
    }

    private void remediate(Pod pod, PodFinding finding, Instant now, boolean report) {
        if (!config.remediationEnabled()) {
            // The install then holds no right to patch workloads: nothing is tried, and the namespace's owner is
            // told why their annotation does nothing.
            if (report) {
                restarts.notRestarted(pod, "remediation is off in this install"
                        + " (probe-rewriter.operator.audit.remediation.enabled=false, and the operator may not patch"
                        + " workloads): restart the pod's controller yourself (kubectl rollout restart), or turn it on"
                        + " with the " + HOW_TO_ENABLE);
            }
            return;
        }
        if (restarts.knownNotDue(pod, now)) {
            // Its controller was restarted (or found restarted) within the interval: nothing to read or write.
            return;
        }
        RestartTarget target = restarts.target(pod);
        if (target instanceof RestartTarget.Controller controller) {
            ControllerRestarts.Restart restart = restarts.restartIfDue(controller, pod, finding, now,
                    config.remediationInterval());
            if (restart == ControllerRestarts.Restart.FORBIDDEN && report) {
                HasMetadata workload = controller.workload();
                LOG.warnf("Remediation is on but the operator may not patch %s %s/%s: the remediation RBAC is"
                                + " missing (%s)", workload.getKind(), workload.getMetadata().getNamespace(),
                        workload.getMetadata().getName(), HOW_TO_ENABLE);
                restarts.notRestarted(pod, "the API server refused the restart of " + workload.getKind() + " "
                        + workload.getMetadata().getName() + " (Forbidden): the operator's ServiceAccount lacks"
                        + " patch on it, which only the remediation RBAC grants (" + HOW_TO_ENABLE + ")");
            }
        } else if (target instanceof RestartTarget.None none && report) {
            restarts.notRestarted(pod, none.why());
        }
    }

    @Override
    public ErrorStatusUpdateControl<Pod> updateErrorStatus(Pod pod, Context<Pod> context, Exception e) {
        if (context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(true)) {
            LOG.warnf("Audit of pod %s/%s failed, looking again in %s: %s", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), config.recheckInterval(), e.toString());
            return ErrorStatusUpdateControl.<Pod>noStatusUpdate()
                    .rescheduleAfter(ResyncSpread.after(config.recheckInterval(), pod));
        }
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    private UpdateControl<Pod> recheck(Pod pod) {
        return UpdateControl.<Pod>noUpdate().rescheduleAfter(ResyncSpread.after(config.recheckInterval(), pod));
    }
}
