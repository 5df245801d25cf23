package io.proberewriter.engine;

/** Where a container sits in the pod spec: enough to address it in a JSON patch and to name it to a user. */
public record ContainerRef(ContainerSection section, int index, String name) {
}
