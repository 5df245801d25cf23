package io.proberewriter.portexceptions;

import java.util.List;

/**
 * What the reconciler must do for one workload.
 *
 * @param changes  writes, in order
 * @param warnings Warning Events to record on the workload
 */
record PortExceptionPlan(List<PolicyChange> changes, List<Warning> warnings) {

    PortExceptionPlan {
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
    }

    /** @param reason CamelCase, as Event reasons are */
    record Warning(String reason, String message) {
    }
}
