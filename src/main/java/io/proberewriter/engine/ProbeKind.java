package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.Optional;

/** The three probes the kubelet runs, with the names users see in annotations and in pod specs. */
public enum ProbeKind implements HandlerKind {
    LIVENESS("liveness", "livenessProbe"),
    READINESS("readiness", "readinessProbe"),
    STARTUP("startup", "startupProbe");

    private final String word;
    private final String fieldName;

    ProbeKind(String word, String fieldName) {
        this.word = word;
        this.fieldName = fieldName;
    }

    /** The word used in {@code probe-rewriter.io/probes}, in decisions and in original-probes keys. */
    @Override
    public String word() {
        return word;
    }

    /** The container field that holds this probe, as in the pod spec ({@code livenessProbe}). */
    public String fieldName() {
        return fieldName;
    }

    @Override
    public String pointer() {
        return fieldName;
    }

    @Override
    public String describe() {
        return word + " probe";
    }

    @Override
    public Probe get(Container container) {
        return switch (this) {
            case LIVENESS -> container.getLivenessProbe();
            case READINESS -> container.getReadinessProbe();
            case STARTUP -> container.getStartupProbe();
        };
    }

    @Override
    public void set(Container container, Probe probe) {
        switch (this) {
            case LIVENESS -> container.setLivenessProbe(probe);
            case READINESS -> container.setReadinessProbe(probe);
            case STARTUP -> container.setStartupProbe(probe);
        }
    }

    public static Optional<ProbeKind> fromWord(String word) {
        for (ProbeKind kind : values()) {
            if (kind.word.equals(word)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
