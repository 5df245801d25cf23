package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.proberewriter.cluster.IstioApis;
import io.proberewriter.cluster.MeshPolicyCache;
import io.proberewriter.cluster.MtlsResolverChoice;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.cluster.WebhookScopeCache;
import io.proberewriter.config.PortExceptionsConfig;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.mtls.IstioConfigMaps;
import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MtlsResolver;
import io.proberewriter.operator.ResyncSpread;
import io.proberewriter.operator.WarningEvents;
import io.proberewriter.scope.WebhookScope;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The cluster side of the port exceptions, shared by the three reconcilers: reads what the webhook's caches hold,
 * runs the webhook's engine on the workload's pod template, asks the planner, and carries out its writes.
 *
 * <p>Istio's kinds are never watched through the operator's own informers: a JOSDK informer on a kind the cluster
 * does not serve fails, and a cluster without Istio (or without PeerAuthentication) is normal. The resolver's
 * caches already watch exactly the kinds the cluster serves, and they are what the engine judged by, so the
 * decision and the policy read the same state.
 */
@Singleton
public class PortExceptionSync {

    private static final Logger LOG = Logger.getLogger(PortExceptionSync.class);
    /** How soon to look again while the resolver is being chosen or its caches fill. */
    static final Duration NOT_READY_RETRY = Duration.ofSeconds(2);

    private final PortExceptionsConfig config;
    private final WebhookMtlsResolver resolver;
    private final NamespaceCache namespaces;
    private final WebhookScopeCache webhookScope;
    private final ProbeRewriter engine;
    private final KubernetesClient client;
    private final WarningEvents events;
    private final String rootNamespaceSetting;
    private final String istioNamespace;
    private final List<String> exclusionAnnotations;
    private final AtomicBoolean toldWhyIdle = new AtomicBoolean();
    private final WorkloadCaches workloads = new WorkloadCaches();
    private final PortExceptionWrites writes;

    PortExceptionSync(PortExceptionsConfig config, ProbeRewriterConfig global, WebhookMtlsResolver resolver,
                      NamespaceCache namespaces, WebhookScopeCache webhookScope, ProbeRewriter engine,
                      KubernetesClient client, WarningEvents events, PortExceptionWrites writes) {
        this.config = config;
        this.resolver = resolver;
        this.namespaces = namespaces;
        this.webhookScope = webhookScope;
        this.engine = engine;
        this.client = client;
        this.writes = writes;
        this.events = events;
        this.rootNamespaceSetting = global.mtls().istio().rootNamespace();
        this.istioNamespace = global.mtls().istio().namespace();
        this.exclusionAnnotations = List.copyOf(global.exclusionAnnotations());
    }

    /** A reconciler's cache of its workloads, read for the namespace's other workloads ({@link WorkloadCaches}). */
    <P extends HasMetadata> void workloadsFrom(String kind, IndexerResourceCache<P> cache,
                                               Function<P, PodTemplateSpec> template) {
        workloads.add(kind, cache, template);
    }

    /** What reconciles a workload of {@code kind} again when a policy written for it changes in the cache. */
    <P extends HasMetadata> OwnPolicyChanges<P> ownPolicyChanges(String kind) {
        return new OwnPolicyChanges<>(resolver.cache(), kind);
    }

    /** Whether the reconcilers are registered at all. */
    boolean active() {
        return config.enabled();
    }

    <P extends HasMetadata> UpdateControl<P> reconcile(P controller, PodTemplateSpec template) {
        Optional<MtlsResolverChoice> choice = resolver.choice();
        if (choice.isEmpty() || !resolver.ready()) {
            return UpdateControl.<P>noUpdate().rescheduleAfter(NOT_READY_RETRY);
        }
        if (choice.get().resolver() != MtlsResolver.ISTIO) {
            // Only the istio resolver knows a port's mode; with any other, nothing tells whether an exception is
            // needed, and Istio's kinds may not exist at all.
            return idle(controller, "the mTLS resolver is " + choice.get().resolver().word() + ", not istio");
        }
        PortExceptionPlanner.Served served = new PortExceptionPlanner.Served(choice.get().apis().peerAuthentication(),
                choice.get().apis().policy());
        if (served.peerAuthentication().isEmpty() && !served.policy()) {
            return idle(controller, "the cluster serves neither PeerAuthentication nor the v1alpha1 Policy");
        }
        String namespace = controller.getMetadata().getNamespace();
        NamespaceView view = namespaces.view(namespace);
        Optional<WebhookScope> scope = webhookScope.current();
        if (scope.isEmpty() || (!view.known() && !namespaces.synced())) {
            return UpdateControl.<P>noUpdate().rescheduleAfter(NOT_READY_RETRY);
        }
        MeshPolicyCache cache = resolver.cache();
        if (!cache.watchServices()) {
            // Without the Services, a health port an app's Service sends traffic to could be taken out of mTLS.
            return UpdateControl.<P>noUpdate().rescheduleAfter(NOT_READY_RETRY);
        }
        Workload workload = Workload.of(controller, template);
        List<PortExceptionPlan.Warning> warnings = new ArrayList<>();
        // First what may not stay: a workload that appeared after another's policy was written may carry that
        // policy's labels too, and would otherwise also be judged by it as an older rival.
        List<GenericKubernetesResource> policies = new ArrayList<>(cache.policies());
        for (GenericKubernetesResource foreign : PortExceptionScope.reachingInto(workload, policies)) {
            Optional<IstioKind> kind = PortExceptionScope.kindOf(foreign, served);
            if (kind.isPresent()) {
                client.genericKubernetesResources(IstioApis.context(kind.get())).inNamespace(namespace)
                        .withName(foreign.getMetadata().getName()).delete();
                writes.deleted(kind.get());
                policies.remove(foreign);
                LOG.infof("%s %s/%s deleted: its selector also selects the pods of %s", kind.get().kind(),
                        namespace, foreign.getMetadata().getName(), workload.display());
                warnings.add(new PortExceptionPlan.Warning(PortExceptionScope.REASON_OVERLAP, "PeerAuthentication "
                        + namespace + "/" + foreign.getMetadata().getName() + " was made for another workload but its"
                        + " selector also selects the pods of " + workload.display() + ": deleted, so that it exempts"
                        + " no port of these pods"));
            }
        }
        // The webhook is only called for opted-in namespaces, and for the pods its configuration's selectors send
        // it: elsewhere no probe is moved to a health port. Where its matchConditions may keep the pods away, the
        // operator cannot know, and writes no exception on a guess.
        boolean sent = view.optedIn() && scope.get().reach(view.context().labels(), workload.templateLabels())
                == WebhookScope.Reach.SENT;
        SortedSet<HealthPort> healthPorts = sent ? healthPorts(workload, view) : new TreeSet<>(HealthPort.ORDER);
        List<Service> services = cache.servicesIn(namespace);
        healthPorts = PortExceptionScope.withoutServingPorts(workload, healthPorts, services, warnings);
        List<Pod> ownPods = List.of();
        if (!healthPorts.isEmpty()) {
            Optional<List<Workload>> others = workloads.inNamespace(namespace);
            if (others.isEmpty()) {
                return UpdateControl.<P>noUpdate().rescheduleAfter(NOT_READY_RETRY);
            }
            List<Pod> matching = podsMatching(workload);
            Set<Pod> own = Collections.newSetFromMap(new IdentityHashMap<>());
            Map<String, Boolean> replicaSetsOfTheWorkload = new HashMap<>();
            matching.stream().filter(PortExceptionScope::live)
                    .filter(pod -> ownPod(pod, workload, replicaSetsOfTheWorkload)).forEach(own::add);
            ownPods = matching.stream().filter(own::contains).toList();
            Optional<PortExceptionPlan.Warning> overlap = PortExceptionScope.overlap(workload,
                    others.get(), matching, own::contains);
            if (overlap.isPresent()) {
                warnings.add(overlap.get());
                healthPorts = new TreeSet<>(HealthPort.ORDER);
            }
        }
        // The root namespace as Istio reads it, from its mesh config, as the webhook's resolver does.
        String rootNamespace = IstioConfigMaps.rootNamespace(cache.istioConfigMaps(), istioNamespace)
                .orElse(rootNamespaceSetting);
        PortExceptionPlan plan = new PortExceptionPlanner(config.mode(), config.legacyPolicy(), rootNamespace)
                .plan(workload, healthPorts, ownPods, served, policies, services);
        for (PolicyChange change : plan.changes()) {
            apply(change, workload);
        }
        warnings.addAll(plan.warnings());
        for (PortExceptionPlan.Warning warning : warnings) {
            events.warn(controller, warning.reason(), warning.message());
        }
        return UpdateControl.<P>noUpdate().rescheduleAfter(ResyncSpread.after(config.resyncPeriod(), controller));
    }

    /**
     * What follows a failed reconciliation: JOSDK's retry ({@link PortExceptionRetry}) until its last attempt, then
     * the resync period. Left to JOSDK, exhausted retries wait for its maximum reconciliation interval, 10 hours
     * by default, and a workload whose policy write failed for a while (API server away, RBAC fixed later) would
     * stay without its exception, or keep a stale one, that long.
     */
    <P extends HasMetadata> ErrorStatusUpdateControl<P> afterFailure(P controller, Context<P> context, Exception e) {
        if (context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(true)) {
            LOG.warnf("Port exceptions of %s %s/%s failed %s, looking again in %s: %s", controller.getKind(),
                    controller.getMetadata().getNamespace(), controller.getMetadata().getName(),
                    context.getRetryInfo().map(r -> r.getAttemptCount() + " times").orElse("without retry"),
                    config.resyncPeriod(), e.toString());
            return ErrorStatusUpdateControl.<P>noStatusUpdate()
                    .rescheduleAfter(ResyncSpread.after(config.resyncPeriod(), controller));
        }
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    private SortedSet<HealthPort> healthPorts(Workload workload, NamespaceView namespace) {
        Pod pod = workload.pod(exclusionAnnotations);
        RewriteResult result = engine.rewrite(pod, namespace.context());
        return HealthPort.of(result);
    }

    /**
     * The pods a policy selecting the workload's template labels would select now: the workload's own, whose labels
     * rival policies are matched against too, and any other. Listed at {@code resourceVersion=0}, served from the API
     * server's watch cache as an informer's first list is: without it the API server reads every pod of the namespace
     * from etcd and only then applies the selector, for each workload at each resync. The watch cache may be a moment
     * behind, as every cache the look reads is; the next look, or the pod's own workload's, sees the rest.
     */
    private List<Pod> podsMatching(Workload workload) {
        return client.pods().inNamespace(workload.namespace()).withLabels(workload.templateLabels())
                .list(new ListOptionsBuilder().withResourceVersion("0").build()).getItems();
    }

    /**
     * Whether the pod's controller is the workload, directly or through one of its ReplicaSets.
     *
     * @param replicaSetsOfTheWorkload whether each ReplicaSet read so far in this look belongs to the workload: a
     *                                 Deployment's pods share a few ReplicaSets, each read once rather than once per
     *                                 pod (a GET per pod every resync, for every workload, adds up on the API server)
     */
    private boolean ownPod(Pod pod, Workload workload, Map<String, Boolean> replicaSetsOfTheWorkload) {
        Optional<OwnerReference> controller = controllerOf(pod.getMetadata().getOwnerReferences());
        if (controller.isEmpty()) {
            return false;
        }
        if (Objects.equals(controller.get().getUid(), workload.uid())) {
            return true;
        }
        if (!"ReplicaSet".equals(controller.get().getKind())) {
            return false;
        }
        return replicaSetsOfTheWorkload.computeIfAbsent(controller.get().getName(), name -> {
            ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(workload.namespace()).withName(name).get();
            return replicaSet != null && controllerOf(replicaSet.getMetadata().getOwnerReferences())
                    .filter(owner -> Objects.equals(owner.getUid(), workload.uid())).isPresent();
        });
    }

    private static Optional<OwnerReference> controllerOf(List<OwnerReference> owners) {
        return owners == null ? Optional.empty()
                : owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
    }

    private void apply(PolicyChange change, Workload workload) {
        var resources = client.genericKubernetesResources(IstioApis.context(change.kind())).inNamespace(change.namespace());
        if (change instanceof PolicyChange.Apply apply) {
            // The cache may not hold our last write yet: a create that finds the object there updates it instead.
            resources.resource(apply.desired()).createOr(NonDeletingOperation::update);
            writes.written(change.kind());
            LOG.infof("%s %s/%s written for %s", change.kind().kind(), change.namespace(), change.name(),
                    workload.display());
        } else {
            resources.withName(change.name()).delete();
            writes.deleted(change.kind());
            LOG.infof("%s %s/%s deleted: %s no longer needs it", change.kind().kind(), change.namespace(),
                    change.name(), workload.display());
        }
    }

    /** Nothing can change until the resolver is chosen again, that is until a restart: no resync. */
    private <P extends HasMetadata> UpdateControl<P> idle(P controller, String why) {
        if (toldWhyIdle.compareAndSet(false, true)) {
            LOG.infof("Port exceptions: nothing to write, %s", why);
        }
        return UpdateControl.noUpdate();
    }
}
