package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.jboss.logging.Logger;

/**
 * Gives the Lease up when a leader stops, as client-go's {@code ReleaseOnCancel} does: the holder is cleared and the
 * duration cut to a second, so that another replica takes over at its next try instead of waiting for the Lease to
 * expire (30 s and more). java-operator-sdk does not do it when its operator stops. Called only after the
 * reconcilers have stopped, so that two replicas never write at once; a Lease held by someone else is not touched.
 *
 * <p>Stopping java-operator-sdk cancels its leader elector without waiting for it, so a renewal of this replica's
 * own may still be on its way to the API server. It can land between our read and our write (our write then fails
 * with 409 Conflict), or read the Lease after we gave it up and take it back for a whole lease duration. Either way
 * the next leader would wait for the Lease to expire: so a conflict is read again, and a Lease given up is looked at
 * once more after a moment, a bounded number of times.
 */
final class LeaseRelease {

    /** How long a renewal already on its way is given to land before the Lease is looked at again. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** Writes at most; past them the Lease is left to expire, as it would be without this class. */
    static final int WRITES = 4;
    private static final Logger LOG = Logger.getLogger(LeaseRelease.class);

    private LeaseRelease() {
    }

    /** @return whether this identity held the Lease and no longer does */
    static boolean release(KubernetesClient client, String namespace, String name, String identity, Clock clock) {
        return release(client, namespace, name, identity, clock, SETTLE);
    }

    static boolean release(KubernetesClient client, String namespace, String name, String identity, Clock clock,
                           Duration settle) {
        boolean gaveUp = false;
        for (int writes = 0; ; writes++) {
            Lease lease;
            try {
                lease = client.leases().inNamespace(namespace).withName(name).get();
            } catch (KubernetesClientException e) {
                return couldNot(namespace, name, e.getMessage(), gaveUp);
            }
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return gaveUp;
            }
            if (writes == WRITES) {
                return couldNot(namespace, name, "this replica still holds it after " + WRITES + " tries", false);
            }
            if (gaveUp) {
                LOG.infof("A renewal on its way when the operator stopped took the Lease %s/%s back: giving it up"
                        + " again", namespace, name);
            }
            try {
                // Optimistic: a Lease renewed or taken since our read fails with 409, and is read again.
                client.leases().inNamespace(namespace).resource(released(lease, clock)).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                    continue;
                }
                return couldNot(namespace, name, e.getMessage(), false);
            }
            gaveUp = true;
            LOG.infof("Gave up the Lease %s/%s: another replica takes over at its next try", namespace, name);
            try {
                Thread.sleep(settle.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }

    private static Lease released(Lease lease, Clock clock) {
        ZonedDateTime now = ZonedDateTime.now(clock);
        return new LeaseBuilder(lease).editSpec()
                .withHolderIdentity("")
                .withLeaseDurationSeconds(1)
                .withRenewTime(now)
                .withAcquireTime(now)
                .endSpec().build();
    }

    private static boolean couldNot(String namespace, String name, String why, boolean gaveUp) {
        LOG.warnf("Could not make sure the Lease %s/%s is given up (another replica takes over when it expires): %s",
                namespace, name, why);
        return gaveUp;
    }
}
