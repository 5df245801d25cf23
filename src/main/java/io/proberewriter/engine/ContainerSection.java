package io.proberewriter.engine;

/** The pod spec lists whose containers the kubelet probes. */
public enum ContainerSection {
    CONTAINERS("containers"),
    /** Only native sidecars ({@code restartPolicy: Always}) among init containers have probes. */
    INIT_CONTAINERS("initContainers");

    private final String fieldName;

    ContainerSection(String fieldName) {
        this.fieldName = fieldName;
    }

    /** The pod spec field, as in a JSON pointer ({@code /spec/initContainers/0}). */
    public String fieldName() {
        return fieldName;
    }
}
