package io.proberewriter.portexceptions;

import java.util.List;

/**
 * Fired (CDI event) when a workload's exceptions have been decided and carried out. "Nothing was written" is
 * otherwise invisible from outside, which is what tests (and, later, metrics) need to know; observers must be quick,
 * they run on the reconciler's thread.
 *
 * @param generation  the workload's {@code metadata.generation} the decision was made on
 * @param healthPorts the health ports found (empty: no exception needed, or none possible)
 * @param changes     the writes made, as {@code Apply PeerAuthentication ns/name} or {@code Delete …}
 * @param idle        why nothing was even considered (resolver not istio, no Istio kind served); null otherwise
 */
public record PortExceptionsReconciled(String kind, String namespace, String name, Long generation,
                                       List<Integer> healthPorts, List<String> changes, String idle) {

    public PortExceptionsReconciled {
        healthPorts = List.copyOf(healthPorts);
        changes = List.copyOf(changes);
    }
}
