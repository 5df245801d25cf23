package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.scope.WebhookScope;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The webhook's own MutatingWebhookConfiguration, as an informer cache of that one object (a list and watch by
 * name, which RBAC can grant by resourceNames), read by the audit and the port exceptions for the
 * {@link WebhookScope} they judge pods by. Only the operator uses it: it starts on the first call.
 *
 * <p>When it cannot be read — listing it forbidden (a ClusterRole from before this rule), or not created yet — the
 * scope is {@link WebhookScope#unknown} and the callers keep their rule of before (the namespace label, kube-system,
 * our own namespace); the log says so once per change.
 */
@Singleton
public class WebhookScopeCache {

    private static final Logger LOG = Logger.getLogger(WebhookScopeCache.class);

    private final String name;
    private final Supplier<KubernetesClient> client;
    private volatile SharedIndexInformer<MutatingWebhookConfiguration> informer;
    /** Set when listing it is forbidden: not retried, the scope stays unknown until a restart. */
    private volatile boolean forbidden;
    /** What the log last said of the scope, so that it says each change once. */
    private final AtomicReference<String> told = new AtomicReference<>();

    @Inject
    public WebhookScopeCache(ProbeRewriterConfig config, Instance<KubernetesClient> client) {
        this(config.operator().certificates().webhookConfiguration(), client::get);
    }

    /** The cache of the configuration {@code name}, read with {@code client} from the first call on. */
    WebhookScopeCache(String name, Supplier<KubernetesClient> client) {
        this.name = name;
        this.client = client;
    }

    /**
     * The scope as the cache holds it now; empty until the first list has arrived (as for the other caches, the
     * callers look again shortly rather than judge by an empty cache).
     */
    public Optional<WebhookScope> current() {
        SharedIndexInformer<MutatingWebhookConfiguration> current = start();
        WebhookScope scope;
        if (forbidden) {
            scope = WebhookScope.unknown("listing MutatingWebhookConfiguration " + name + " is forbidden (the"
                    + " ClusterRole probe-rewriter-operator of this release grants list and watch of it: apply it, then"
                    + " restart)");
        } else if (!current.hasSynced()) {
            return Optional.empty();
        } else {
            MutatingWebhookConfiguration configuration = current.getStore().getByKey(name);
            scope = configuration == null ? WebhookScope.unknown("MutatingWebhookConfiguration " + name
                    + " does not exist (yet)") : WebhookScope.of(configuration);
        }
        tell(scope);
        return Optional.of(scope);
    }

    private synchronized SharedIndexInformer<MutatingWebhookConfiguration> start() {
        if (informer == null) {
            SharedIndexInformer<MutatingWebhookConfiguration> started = client.get().admissionRegistration().v1()
                    .mutatingWebhookConfigurations().withName(name).runnableInformer(0);
            started.exceptionHandler((isStarted, failure) -> {
                if (RetryingInformers.forbidden(failure)) {
                    forbidden = true;
                    return false;
                }
                LOG.warnf("MutatingWebhookConfiguration %s watch failed, retrying: %s", name, failure.toString());
                return true;
            });
            informer = started;
            started.start();
        }
        return informer;
    }

    private void tell(WebhookScope scope) {
        String said = (scope.known() ? "known: " : "unknown: ") + scope.description();
        if (Objects.equals(told.getAndSet(said), said)) {
            return;
        }
        if (!scope.known()) {
            LOG.warnf("Webhook scope unknown, %s: the audit and the port exceptions take every pod of an opted-in"
                    + " namespace (label probe-rewriter.io/enabled) for one the webhook sees, as before they read it",
                    scope.description());
        } else if (scope.hasMatchConditions()) {
            LOG.warnf("Webhook scope: %s. A pod they let through may still be kept away by the matchConditions:"
                    + " the audit reports such pods' broken probes but restarts no controller for them, and no port"
                    + " exception is written for them", scope.description());
        } else {
            LOG.infof("Webhook scope: %s", scope.description());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        SharedIndexInformer<MutatingWebhookConfiguration> current = informer;
        if (current != null) {
            current.stop();
        }
    }
}
