package io.proberewriter.engine;

import java.util.Map;

/**
 * What the engine knows of the pod's namespace: its name, the labels and annotations that give namespace defaults,
 * and what its LimitRanges ask of a container. Built from informer caches in the webhook, from Namespace and
 * LimitRange documents in the CLI.
 *
 * @param known whether the namespace itself was seen (a cached Namespace, a Namespace document). When it was not,
 *              its labels are not "none" but unknown: a rule that reads them (does the namespace inject Istio's
 *              sidecar?) must not take their absence as an answer. Annotations may still be given (the CLI's
 *              {@code --mode} and {@code --exec-command} stand for namespace annotations).
 * @param containerLimits what the namespace's LimitRanges ask of every container, which the prober's init container
 *                        must meet
 */
public record NamespaceContext(String name, Map<String, String> labels, Map<String, String> annotations,
                               boolean known, ContainerLimits containerLimits) {

    public NamespaceContext {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        containerLimits = containerLimits == null ? ContainerLimits.NONE : containerLimits;
    }

    public NamespaceContext(String name, Map<String, String> labels, Map<String, String> annotations,
                            boolean known) {
        this(name, labels, annotations, known, ContainerLimits.NONE);
    }

    /** The same namespace, whose LimitRanges ask this of a container. */
    public NamespaceContext withContainerLimits(ContainerLimits limits) {
        return new NamespaceContext(name, labels, annotations, known, limits);
    }

    /** A namespace that was seen, with these labels and annotations. */
    public NamespaceContext(String name, Map<String, String> labels, Map<String, String> annotations) {
        this(name, labels, annotations, true);
    }

    /** A namespace the engine knows nothing about: global defaults apply, and its labels are unknown. */
    public static NamespaceContext unknown(String name) {
        return new NamespaceContext(name, Map.of(), Map.of(), false);
    }
}
