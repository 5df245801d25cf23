package io.proberewriter.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/** Lets tests in other packages record Events as the operator does, without CDI. */
public final class WarningEventsAccess {

    private WarningEventsAccess() {
    }

    public static WarningEvents of(KubernetesClient client, Clock clock) {
        return new WarningEvents(client, clock);
    }
}
