package io.proberewriter.operator;

/**
 * A reconciler that configuration can switch off. Switched-off reconcilers are not registered at all: they watch
 * nothing and need no RBAC.
 */
public interface OptionalReconciler {

    /** Whether this reconciler should run, from its configuration. */
    boolean active();
}
