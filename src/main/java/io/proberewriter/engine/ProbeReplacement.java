package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Probe;

/** One probe (or hook) to put in place of the one at {@code container}/{@code kind}: a targeted edit, not a diff. */
public record ProbeReplacement(ContainerRef container, HandlerKind kind, Probe probe) {
}
