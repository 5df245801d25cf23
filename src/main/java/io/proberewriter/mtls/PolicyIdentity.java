package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Optional;

/**
 * Who a policy is and how old: Istio lets the oldest policy win where several apply at the same level.
 *
 * @param namespace null for cluster-scoped kinds (MeshPolicy)
 * @param created   null when the object carries no (readable) creationTimestamp — manifests never do; like Go's
 *                  zero time in Istio, it counts as older than any real timestamp
 */
record PolicyIdentity(String namespace, String name, Instant created) {

    static final Comparator<PolicyIdentity> OLDEST_FIRST = Comparator
            .comparing(PolicyIdentity::created, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(PolicyIdentity::name, Comparator.nullsFirst(Comparator.naturalOrder()));

    static PolicyIdentity of(HasMetadata resource) {
        ObjectMeta meta = resource.getMetadata();
        if (meta == null) {
            return new PolicyIdentity(null, null, null);
        }
        return new PolicyIdentity(blankToNull(meta.getNamespace()), blankToNull(meta.getName()),
                timestamp(meta.getCreationTimestamp()).orElse(null));
    }

    /** {@code namespace/name}, or the bare name of a cluster-scoped object, as kubectl shows them. */
    String display() {
        return namespace == null ? name : namespace + "/" + name;
    }

    private static Optional<Instant> timestamp(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
