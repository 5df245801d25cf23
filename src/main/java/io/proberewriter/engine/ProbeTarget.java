package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/** The port the kubelet would connect to for one probe, with the context an mTLS oracle may need. */
public record ProbeTarget(Pod pod, NamespaceContext namespace, ContainerRef containerRef, Container container,
                          HandlerKind kind, int port) {
}
