package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.proberewriter.mtls.IstioKind;

/** One write the planner asks for; a policy already as it should be gives none. */
sealed interface PolicyChange {

    IstioKind kind();

    String namespace();

    String name();

    /** Create, or replace what is there (the name is ours, the object carries our label). */
    record Apply(IstioKind kind, GenericKubernetesResource desired) implements PolicyChange {
        @Override
        public String namespace() {
            return desired.getMetadata().getNamespace();
        }

        @Override
        public String name() {
            return desired.getMetadata().getName();
        }
    }

    /** Our policy is no longer wanted: the workload no longer needs it, or it cannot take effect. */
    record Delete(IstioKind kind, String namespace, String name) implements PolicyChange {
    }
}
