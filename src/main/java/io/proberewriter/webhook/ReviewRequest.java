package io.proberewriter.webhook;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The parts of an AdmissionReview v1 request this webhook reads, as {@link ReviewCodec} checked them.
 *
 * @param pod        the pod of a pod CREATE (a partial view, see {@link ReviewCodec}), or null
 * @param podProblem why the pod could not be read (a field of the wrong type), or null
 */
record ReviewRequest(String uid, String group, String version, String kind, String operation, String namespace,
                     String name, boolean dryRun, Pod pod, String podProblem) {

    /** A name of 253 chars, a namespace of 63, a uid and the words around them fit; a longer name is cut. */
    private static final int MAX_DESCRIPTION = 512;

    /** Only pods on CREATE are rewritten: probes of a running pod cannot change. */
    boolean isPodCreate() {
        return group.isEmpty() && "v1".equals(version) && "Pod".equals(kind) && "CREATE".equals(operation);
    }

    /**
     * For log lines: what the request is about, on one line. Name, namespace and kind are as the request sent them,
     * before the API server validated the object (mutating admission comes first), so a newline in them would
     * otherwise start a forged line of its own.
     */
    String describe() {
        return AdmissionWarnings.singleLine("", kind + " " + (namespace.isEmpty() ? "" : namespace + "/")
                + (name.isEmpty() ? "(generated name)" : name) + " " + operation + " uid " + uid, MAX_DESCRIPTION);
    }
}
