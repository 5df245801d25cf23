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

    /** Only pods on CREATE are rewritten: probes of a running pod cannot change. */
    boolean isPodCreate() {
        return group.isEmpty() && "v1".equals(version) && "Pod".equals(kind) && "CREATE".equals(operation);
    }

    String describe() {
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + (name.isEmpty() ? "(generated name)" : name)
                + " " + operation + " uid " + uid;
    }
}
