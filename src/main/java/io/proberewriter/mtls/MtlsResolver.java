package io.proberewriter.mtls;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How ports under mTLS are told apart (docs/mtls-resolution.md): {@code probe-rewriter.mtls.resolver} for the
 * webhook, {@code --mtls} for the CLI. One rule for {@code auto} serves both; only where the evidence comes from
 * differs (the API server's discovery, or the input's documents).
 */
public enum MtlsResolver {
    /** istio when Istio's authentication policies are there to read, assume-all otherwise. */
    AUTO,
    ISTIO,
    ASSUME_ALL,
    ANNOTATION;

    /** The name the configuration and the docs use: {@code assume-all}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<MtlsResolver> parse(String word) {
        String wanted = word.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.word().equals(wanted)).findFirst();
    }

    /** The accepted words, as written in messages: {@code auto, istio, assume-all, annotation}. */
    public static String accepted() {
        return Arrays.stream(values()).map(MtlsResolver::word).collect(Collectors.joining(", "));
    }

    /**
     * The resolver that answers: this one, or for {@code auto}, istio when Istio's policies are present and
     * assume-all otherwise. Without Istio's policies the istio resolver would see PERMISSIVE everywhere and leave
     * probes broken under another mesh's mTLS; assume-all is the safe side.
     *
     * @param istioPoliciesPresent whether the cluster serves (or the input holds) Istio's authentication policies
     */
    public MtlsResolver resolve(boolean istioPoliciesPresent) {
        if (this != AUTO) {
            return this;
        }
        return istioPoliciesPresent ? ISTIO : ASSUME_ALL;
    }
}
