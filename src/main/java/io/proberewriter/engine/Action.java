package io.proberewriter.engine;

/** What the rewrite did to one probe. */
public enum Action {
    REWRITTEN_EXEC("rewritten-exec"),
    REWRITTEN_PORT("rewritten-port"),
    /** Port mode, the probe already on the health port: kept as it is, the port excluded from interception. */
    KEPT_ON_HEALTH_PORT("kept-on-health-port"),
    UNCHANGED("unchanged");

    private final String label;

    Action(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the pod was changed for this probe, so that it now works (its handler, or the port's exclusion). */
    public boolean rewritten() {
        return this != UNCHANGED;
    }
}
