package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.ZonedDateTime;
import org.jboss.logging.Logger;

/**
 * Gives the Lease up when a leader stops, as client-go's {@code ReleaseOnCancel} does: the holder is cleared and the
 * duration cut to a second, so that another replica takes over at its next try instead of waiting for the Lease to
 * expire (30 s and more). java-operator-sdk does not do it when its operator stops. Called only after the
 * reconcilers have stopped, so that two replicas never write at once; a Lease held by someone else is not touched.
 */
final class LeaseRelease {

    private static final Logger LOG = Logger.getLogger(LeaseRelease.class);

    private LeaseRelease() {
    }

    /** @return whether this identity held the Lease and gave it up */
    static boolean release(KubernetesClient client, String namespace, String name, String identity, Clock clock) {
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return false;
            }
            ZonedDateTime now = ZonedDateTime.now(clock);
            Lease released = new LeaseBuilder(lease).editSpec()
                    .withHolderIdentity("")
                    .withLeaseDurationSeconds(1)
                    .withRenewTime(now)
                    .withAcquireTime(now)
                    .endSpec().build();
            // Optimistic: a Lease renewed or taken since our read fails with 409, and is then not ours to release.
            client.leases().inNamespace(namespace).resource(released).update();
            LOG.infof("Gave up the Lease %s/%s: another replica takes over at its next try", namespace, name);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf("Could not give up the Lease %s/%s (another replica takes over when it expires): %s", namespace,
                    name, e.getMessage());
            return false;
        }
    }
}
