package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;

/** What a certificates pass reads from its informer cache, for calling the reconciler without an operator. */
final class CachedSecrets {

    private CachedSecrets() {
    }

    /** A reconciler context whose informer cache holds these Secrets. */
    @SuppressWarnings("unchecked")
    static Context<MutatingWebhookConfiguration> holding(List<Secret> secrets) {
        return (Context<MutatingWebhookConfiguration>) Proxy.newProxyInstance(Context.class.getClassLoader(),
                new Class<?>[] {Context.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSecondaryResources" -> Set.copyOf(secrets);
                    case "getSecondaryResourcesAsStream" -> secrets.stream();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
