package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.Objects;

/**
 * When an object is looked at again without a change of its own. A start reconciles every object within seconds, and
 * each asks to be looked at again after the same period: without a spread they would all come back together, period
 * after period (5,000 workloads or 30,000 pods in the same seconds, with their API requests). Each object is put off
 * by a share of the period of its own, up to a fifth more, taken from its uid: the same object keeps its cadence, and
 * the objects drift further apart at every round.
 */
public final class ResyncSpread {

    /** The spread is up to this fraction of the period, added to it: never sooner than the period configured. */
    static final double SPREAD = 0.2;

    private ResyncSpread() {
    }

    /** {@code period}, plus a share of up to a fifth of it that depends on the object only. */
    public static Duration after(Duration period, HasMetadata object) {
        String key = object.getMetadata().getUid() != null ? object.getMetadata().getUid()
                : object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
        // A fraction in [0, 1) from the key's hash, mixed so that uids differing in one character land apart.
        long mixed = Objects.hashCode(key) * 0x9E3779B97F4A7C15L;
        double fraction = (mixed >>> 11) * 0x1.0p-53;
        return period.plusMillis((long) (period.toMillis() * SPREAD * fraction));
    }
}
