package io.proberewriter.engine;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the engine decided for one pod: a decision per probe, warnings for the person who applied it, and the
 * edits as targeted operations (probes to replace, annotations to set or remove, the prober to inject, arguments of
 * Istio's init container to extend) that the webhook turns into a JSON patch and the CLI applies to the manifest.
 * All or nothing: the edits are complete or empty.
 */
public record RewriteResult(List<ProbeDecision> decisions, List<String> warnings,
                            List<ProbeReplacement> replacements, SortedMap<String, String> annotationUpdates,
                            ProberInjection proberInjection, List<ArgumentReplacement> argumentReplacements,
                            SortedSet<String> annotationRemovals) {

    /**
     * A result that removes no annotation. Only a pass that takes the last stale entry out of the record of original
     * probes removes any (that record and the status).
     */
    public RewriteResult(List<ProbeDecision> decisions, List<String> warnings, List<ProbeReplacement> replacements,
                         SortedMap<String, String> annotationUpdates, ProberInjection proberInjection,
                         List<ArgumentReplacement> argumentReplacements) {
        this(decisions, warnings, replacements, annotationUpdates, proberInjection, argumentReplacements,
                new TreeSet<>());
    }

    /** A result that changes no container's arguments. */
    public RewriteResult(List<ProbeDecision> decisions, List<String> warnings, List<ProbeReplacement> replacements,
                         SortedMap<String, String> annotationUpdates, ProberInjection proberInjection) {
        this(decisions, warnings, replacements, annotationUpdates, proberInjection, List.of());
    }

    /** A result that needs nothing injected. */
    public RewriteResult(List<ProbeDecision> decisions, List<String> warnings, List<ProbeReplacement> replacements,
                         SortedMap<String, String> annotationUpdates) {
        this(decisions, warnings, replacements, annotationUpdates, ProberInjection.none());
    }

    public RewriteResult {
        java.util.Objects.requireNonNull(proberInjection, "proberInjection");
        decisions = List.copyOf(decisions);
        warnings = List.copyOf(warnings);
        replacements = List.copyOf(replacements);
        argumentReplacements = List.copyOf(argumentReplacements);
        annotationUpdates = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(annotationUpdates));
        annotationRemovals = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(annotationRemovals));
    }

    public boolean changed() {
        return !replacements.isEmpty() || !annotationUpdates.isEmpty() || !annotationRemovals.isEmpty()
                || !proberInjection.isEmpty() || !argumentReplacements.isEmpty();
    }
}
