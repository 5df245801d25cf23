package io.proberewriter.engine;

/**
 * The diagnostic the seeds quote for a probe that mTLS breaks ("The pod X in namespace Y uses liveness probe
 * which is incompatible with mTLS. …"), kept word for word so users can search for it.
 */
public final class IncompatibleProbeMessage {

    private IncompatibleProbeMessage() {
    }

    public static String format(String pod, String namespace, HandlerKind kind) {
        String probe = kind.describe();
        return "The pod " + pod + " in namespace " + namespace + " uses " + probe
                + " which is incompatible with mTLS. Consider disabling the " + probe
                + " or mTLS, or disabling mTLS for the port of the " + probe + ".";
    }
}
