package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of one level of a custom resource's untyped content (a {@code GenericKubernetesResource}
 * spec). Istio's CRDs are not part of the fabric8 model, and a policy typed by hand may hold anything: every
 * read answers "absent" or "wrong type" instead of throwing, so the callers decide what a malformed policy means.
 */
record UntypedMap(Map<?, ?> values) {

    /** The resource's spec; empty, with the reason recorded, when it is there but not an object. */
    static Optional<UntypedMap> specOf(GenericKubernetesResource resource, String what, List<String> ignored) {
        Object raw = resource.getAdditionalProperties().get("spec");
        if (raw != null && !(raw instanceof Map<?, ?>)) {
            ignored.add(what + ": spec is not an object");
            return Optional.empty();
        }
        return Optional.of(of(raw));
    }

    static UntypedMap of(Object value) {
        return value instanceof Map<?, ?> m ? new UntypedMap(m) : new UntypedMap(Map.of());
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Object raw(String key) {
        return values.get(key);
    }

    /** The nested object under {@code key}; empty when absent or null, and also when it is not an object. */
    Optional<UntypedMap> map(String key) {
        Object v = values.get(key);
        return v instanceof Map<?, ?> m ? Optional.of(new UntypedMap(m)) : Optional.empty();
    }

    boolean isMapOrAbsent(String key) {
        Object v = values.get(key);
        return v == null || v instanceof Map<?, ?>;
    }

    Optional<String> string(String key) {
        Object v = values.get(key);
        return v instanceof String s ? Optional.of(s) : Optional.empty();
    }

    Optional<List<?>> list(String key) {
        Object v = values.get(key);
        return v instanceof List<?> l ? Optional.of(l) : Optional.empty();
    }
}
