package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Namespace;
import java.util.Map;
import java.util.Objects;

/**
 * One namespace as probe-rewriter judges it, the same for the webhook, the audit and the port exceptions: is it opted
 * in, what are its defaults for the engine, may its pods be remediated. Whether the namespace is known (cached) is
 * explicit, because the callers deliberately treat an unknown namespace differently: the webhook acts on it with
 * global defaults (the API server only sends what the namespaceSelector let through), while the audit and the port
 * exceptions take it as not opted in (they act on their own, and must not act on a guess).
 */
public final class NamespaceView {

    private final String name;
    private final Namespace namespace;
    private final ContainerLimits containerLimits;

    private NamespaceView(String name, Namespace namespace, ContainerLimits containerLimits) {
        this.name = name;
        this.namespace = namespace;
        this.containerLimits = containerLimits;
    }

    private NamespaceView(String name, Namespace namespace) {
        this(name, namespace, ContainerLimits.NONE);
    }

    /** The same namespace, whose LimitRanges ask this of every container. */
    public NamespaceView withContainerLimits(ContainerLimits limits) {
        return new NamespaceView(name, namespace, limits);
    }

    /** A namespace as the cluster holds it. */
    public static NamespaceView of(Namespace namespace) {
        Objects.requireNonNull(namespace, "namespace");
        return new NamespaceView(namespace.getMetadata().getName(), namespace);
    }

    /** A namespace of which nothing is known: not cached (yet), or no namespace watch at all. */
    public static NamespaceView unknown(String name) {
        return new NamespaceView(name, null);
    }

    public String name() {
        return name;
    }

    public boolean known() {
        return namespace != null;
    }

    /** Known, and labelled {@code probe-rewriter.io/enabled: "true"}. An unknown namespace is not opted in. */
    public boolean optedIn() {
        return known() && "true".equals(labels().get(Annotations.ENABLED_LABEL));
    }

    /** Known to be not opted in: what the webhook's namespaceSelector should have kept away from it. */
    public boolean optedOut() {
        return known() && !optedIn();
    }

    /** Known, and annotated {@code probe-rewriter.io/remediate: "true"}: the audit may restart controllers. */
    public boolean remediationAsked() {
        return known() && "true".equals(annotations().get(Annotations.REMEDIATE));
    }

    /** What the engine needs to know of the namespace; empty labels and annotations, marked unknown, when unknown. */
    public NamespaceContext context() {
        NamespaceContext context = known() ? new NamespaceContext(name, labels(), annotations())
                : NamespaceContext.unknown(name);
        return containerLimits.none() ? context : context.withContainerLimits(containerLimits);
    }

    private Map<String, String> labels() {
        Map<String, String> labels = namespace.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    private Map<String, String> annotations() {
        Map<String, String> annotations = namespace.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    @Override
    public String toString() {
        return "namespace " + name + (known() ? "" : " (unknown)");
    }
}
