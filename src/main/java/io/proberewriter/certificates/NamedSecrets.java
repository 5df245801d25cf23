package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The certificates reconciler's Secrets, watched one by one by name: each informer lists and watches with the field
 * selector {@code metadata.name=<name>}, which is what lets RBAC restrict list and watch to resourceNames. The
 * operator's namespace may be shared (Helm keeps its release Secrets there, {@code sh.helm.release.v1.*}, and other
 * charts theirs): no other Secret is read or cached. java-operator-sdk's informer event source selects by label only,
 * which RBAC cannot restrict, and would miss a Secret of ours someone else wrote (cert-manager's CA Secret), so the
 * reconciler has this one instead. Any change to either Secret reconciles the one webhook configuration.
 */
final class NamedSecrets extends AbstractEventSource<Secret, MutatingWebhookConfiguration> {

    private final KubernetesClient client;
    private final String namespace;
    private final Set<String> names;
    private final ResourceID webhookConfiguration;
    private final List<SharedIndexInformer<Secret>> informers = new ArrayList<>();

    NamedSecrets(KubernetesClient client, String namespace, Set<String> names, ResourceID webhookConfiguration) {
        super(Secret.class, "certificate-secrets");
        this.client = client;
        this.namespace = namespace;
        this.names = Set.copyOf(names);
        this.webhookConfiguration = webhookConfiguration;
    }

    /** Starts one informer per name and returns once each has its first list, so a pass never sees an empty cache. */
    @Override
    public synchronized void start() throws OperatorException {
        ResourceEventHandler<Secret> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                reconcile();
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                reconcile();
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                reconcile();
            }
        };
        try {
            for (String name : names) {
                informers.add(client.secrets().inNamespace(namespace).withName(name).inform(changed, 0));
            }
        } catch (RuntimeException e) {
            stop();
            throw new OperatorException("Cannot watch the Secrets " + names + " in " + namespace + ": " + e, e);
        }
        super.start();
    }

    @Override
    public synchronized void stop() throws OperatorException {
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
        super.stop();
    }

    private void reconcile() {
        if (isRunning()) {
            getEventHandler().handleEvent(new Event(webhookConfiguration));
        }
    }

    /** The Secrets under our names as last seen; only the one webhook configuration has any. */
    @Override
    public synchronized Set<Secret> getSecondaryResources(MutatingWebhookConfiguration primary) {
        if (!webhookConfiguration.equals(ResourceID.fromResource(primary))) {
            return Set.of();
        }
        return informers.stream().flatMap(informer -> informer.getStore().list().stream())
                .collect(Collectors.toUnmodifiableSet());
    }
}
