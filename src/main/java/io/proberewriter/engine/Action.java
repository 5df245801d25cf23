package io.proberewriter.engine;

/** What the rewrite did to one probe. */
public enum Action {
    REWRITTEN_EXEC("rewritten-exec"),
    REWRITTEN_PORT("rewritten-port"),
    UNCHANGED("unchanged");

    private final String label;

    Action(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean rewritten() {
        return this != UNCHANGED;
    }
}
