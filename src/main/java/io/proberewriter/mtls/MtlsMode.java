package io.proberewriter.mtls;

import java.util.Optional;

/** Istio's mTLS modes for inbound traffic, as spelled in PeerAuthentication ({@code spec.mtls.mode}). */
enum MtlsMode {
    /** Inherit from the next level up. */
    UNSET,
    DISABLE,
    PERMISSIVE,
    STRICT;

    /** Only STRICT refuses the kubelet's plaintext request; PERMISSIVE sniffs and lets plaintext through. */
    boolean rejectsPlaintext() {
        return this == STRICT;
    }

    /** Istio's enum names are case-sensitive in its CRD schema: anything else is not a mode. */
    static Optional<MtlsMode> parse(String value) {
        for (MtlsMode mode : values()) {
            if (mode.name().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
