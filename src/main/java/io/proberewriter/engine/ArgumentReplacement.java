package io.proberewriter.engine;

/** One argument of a container to put in place of the one at {@code index}: a targeted edit, as for probes. */
public record ArgumentReplacement(ContainerRef container, int index, String value) {
}
