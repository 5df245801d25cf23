package io.proberewriter.engine;

/**
 * Answers, for one probe, whether the kubelet's plaintext request to the target port would be refused by
 * mTLS. Implementations must be pure lookups over data they were given (the webhook feeds them from
 * informer caches): the engine calls them on the admission path.
 */
@FunctionalInterface
public interface MtlsOracle {

    MtlsVerdict check(ProbeTarget target);
}
