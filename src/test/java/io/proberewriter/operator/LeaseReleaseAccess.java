package io.proberewriter.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/** Lets tests in other packages give a Lease up as a stopping leader does. */
public final class LeaseReleaseAccess {

    private LeaseReleaseAccess() {
    }

    public static boolean release(KubernetesClient client, String namespace, String identity) {
        return LeaseRelease.release(client, namespace, "probe-rewriter-operator", identity, Clock.systemUTC());
    }
}
