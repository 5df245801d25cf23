package io.proberewriter.config;

/** The values of {@code probe-rewriter.mtls.resolver}; see docs/mtls-resolution.md. */
public enum MtlsResolver {
    /** istio when the cluster serves Istio's PeerAuthentication, assume-all otherwise. */
    AUTO,
    ISTIO,
    ASSUME_ALL,
    ANNOTATION;

    /** The name the configuration and the docs use: {@code assume-all}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
