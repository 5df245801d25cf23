package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Answers, for one probe, whether the kubelet's plaintext request to the target port would be refused by
 * mTLS. Implementations must be pure lookups over data they were given (the webhook feeds them from
 * informer caches): the engine calls them on the admission path.
 */
@FunctionalInterface
public interface MtlsOracle {

    MtlsVerdict check(ProbeTarget target);

    /**
     * The oracle for the probes of one pod: the engine asks this once per pod, then asks the result about each of
     * the pod's probes (targets of this pod and namespace only). An oracle whose answers depend on the pod as a whole
     * (its containers' ports, its annotations, whether a sidecar comes) works that out here, once, so that a pod's
     * cost grows with its probes and not with probes × containers. By default, the oracle itself.
     */
    default MtlsOracle forPod(Pod pod, NamespaceContext namespace) {
        return this;
    }
}
