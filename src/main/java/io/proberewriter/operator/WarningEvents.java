package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Warning Events on the objects the reconcilers look at, as {@code kubectl describe} shows them. Repeating the same
 * warning on the same object bumps the count of one Event instead of adding another, so a reconciler that runs every
 * few minutes does not flood the namespace.
 *
 * <p>Repeats also cost fewer calls. client-go's event recorder passes every Event through a correlator, which folds
 * many Events of one object and reason that differ only in their message into one once they come often;
 * drops an object's Events once they come faster than a per-object token bucket refills (a burst, then one every few
 * minutes); and remembers, per Event, the count it last wrote, so that a repeat is a single PATCH of count and
 * lastTimestamp with nothing read first. The last two are followed here: the count of the last {@link #REMEMBERED}
 * Events warned is remembered, so a repeat is one PATCH, not a GET then a PUT; and a repeat within {@link #COALESCE}
 * of the Event's last write is only counted in memory, its count carried by the next write after that, rather than
 * dropped. A workload whose port exception another controller keeps undoing is looked at up to 20 times a minute,
 * each look with the same warnings: 40 calls a minute for each, now one. What is held after the last write is never
 * written: the count shown may be short by one interval's repeats, and lastTimestamp behind by at most that
 * interval. Warnings repeated only every few minutes (the audit's, the port exceptions' at their resync) are each
 * written as before, in one call instead of two.
 */
@Singleton
public class WarningEvents {

    /** The {@code source.component} of every Event probe-rewriter records. */
    public static final String COMPONENT = "probe-rewriter";
    private static final Logger LOG = Logger.getLogger(WarningEvents.class);
    /** 253 characters at most, less the dot and the 16 hex digits of the digest. */
    private static final int MAX_NAME_PREFIX = 253 - 17;

    /** How long after an Event is written its repeats are only counted in memory. */
    static final Duration COALESCE = Duration.ofMinutes(1);
    /** Events whose count is remembered: some 200 bytes each. */
    static final int REMEMBERED = 1024;

    /** What this process last wrote of an Event, and the repeats counted since. */
    private static final class Recorded {
        /** The count last written; 0 while not known (the first write under way, or the last one failed). */
        int count;
        /** When the last write began. */
        Instant written;
        /** Repeats since, not written yet. */
        int held;
        /**
         * A write is under way: repeats meanwhile are held whatever the time, so that a write slowed past
         * {@link #COALESCE} (the client's retries while the API server struggles) is not overtaken by a second one
         * with an older count, which could land last and count the Event backwards.
         */
        boolean writing;
    }

    private final KubernetesClient client;
    private final Clock clock;
    /** By namespace and name; access-ordered, so the least recently warned Event is the one forgotten. */
    private final Map<String, Recorded> recorded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
            return size() > REMEMBERED;
        }
    };

    @Inject
    WarningEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * Records (or counts again) a Warning about {@code object}. Failing to record is logged, never thrown: an Event
     * is a courtesy and must not fail the reconciliation that found the problem.
     */
    public void warn(HasMetadata object, String reason, String message) {
        String namespace = object.getMetadata().getNamespace();
        String name = eventName(object, reason, message);
        Instant instant = clock.instant();
        String key = namespace + "/" + name;
        Recorded known;
        int lastCount;
        int repeats;
        synchronized (recorded) {
            known = recorded.get(key);
            if (known != null && (known.writing || instant.isBefore(known.written.plus(COALESCE)))) {
                known.held++;
                return;
            }
            if (known == null) {
                known = new Recorded();
                recorded.put(key, known);
            }
            // Marked written before the call, so that repeats on other threads meanwhile are held, not written too.
            // (Forgotten while its write is under way, by 1,024 other Events warned meanwhile, the next warning would
            // read and write it beside this one: a count one short at worst, as before any of this was remembered.)
            lastCount = known.count;
            repeats = known.held + 1;
            known.held = 0;
            known.written = instant;
            known.writing = true;
        }
        String now = instant.toString();
        try {
            Written written = new Written(object, namespace, name, reason, message, now, repeats);
            int count = lastCount == 0 ? readAndWrite(written) : patch(written, lastCount + repeats);
            synchronized (recorded) {
                known.count = count;
                known.writing = false;
            }
        } catch (RuntimeException e) {
            synchronized (recorded) {
                // Not known to be written: the next warning reads the Event again, at once, and carries the repeats
                // this write was to count. Whatever failed, the write is over: left marked, every repeat would be held.
                known.count = 0;
                known.held += repeats;
                known.written = Instant.MIN;
                known.writing = false;
            }
            if (!(e instanceof KubernetesClientException)) {
                throw e;
            }
            LOG.warnf("Could not record the %s event on %s %s/%s: %s", reason, object.getKind(), namespace,
                    object.getMetadata().getName(), e.getMessage());
        }
    }

    /**
     * A repeat of an Event whose count is known: count and lastTimestamp patched, nothing read. Gone (the API server
     * expires Events, --event-ttl, 1h by default), it is created afresh.
     *
     * @return the count written
     */
    private int patch(Written w, int count) {
        try {
            // Through resource(): by name alone (withName), the client would GET the Event before patching it.
            Event named = new EventBuilder().withNewMetadata().withName(w.name()).withNamespace(w.namespace())
                    .endMetadata().build();
            client.v1().events().inNamespace(w.namespace()).resource(named).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"count\":" + count + ",\"lastTimestamp\":\"" + w.now() + "\"}");
            return count;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            return create(w);
        }
    }

    /**
     * An Event whose count this process does not know (never written by it, or forgotten): read, then counted again,
     * or created.
     *
     * @return the count written
     */
    private int readAndWrite(Written w) {
        Event existing = client.v1().events().inNamespace(w.namespace()).withName(w.name()).get();
        if (existing != null) {
            try {
                return countAgain(existing, w);
            } catch (KubernetesClientException e) {
                // Expired since it was read: created afresh below rather than lost.
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        return create(w);
    }

    /** The Event as read, counted again: an update, so that a write of someone else's meanwhile is not overwritten. */
    private int countAgain(Event existing, Written w) {
        int count = Optional.ofNullable(existing.getCount()).orElse(1) + w.repeats();
        Event counted = new EventBuilder(existing).withCount(count).withLastTimestamp(w.now()).build();
        client.v1().events().inNamespace(w.namespace()).resource(counted).update();
        return count;
    }

    private int create(Written w) {
        try {
            client.v1().events().inNamespace(w.namespace()).resource(new EventBuilder()
                    .withNewMetadata().withName(w.name()).withNamespace(w.namespace()).endMetadata()
                    .withInvolvedObject(reference(w.object()))
                    .withType("Warning")
                    .withReason(w.reason())
                    .withMessage(w.message())
                    .withCount(w.repeats())
                    .withFirstTimestamp(w.now())
                    .withLastTimestamp(w.now())
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
            return w.repeats();
        } catch (KubernetesClientException e) {
            // Created meanwhile (read as missing a moment ago, or a POST the client retried after the API server had
            // stored it): counted again instead, once; nothing is created twice.
            if (e.getCode() != 409) {
                throw e;
            }
            Event existing = client.v1().events().inNamespace(w.namespace()).withName(w.name()).get();
            if (existing == null) {
                throw e;
            }
            return countAgain(existing, w);
        }
    }

    /** One write of a warning: what it is about and says, when, and how many warnings it counts. */
    private record Written(HasMetadata object, String namespace, String name, String reason, String message,
                           String now, int repeats) {
    }

    /**
     * Object name plus a digest of what is said: the same warning maps to the same Event. The name is cut so that
     * the whole stays within the 253 characters of an object name.
     */
    static String eventName(HasMetadata object, String reason, String message) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (object.getKind() + '\n' + object.getMetadata().getUid() + '\n' + reason + '\n' + message)
                            .getBytes(StandardCharsets.UTF_8));
            String name = object.getMetadata().getName();
            String prefix = name.length() > MAX_NAME_PREFIX ? name.substring(0, MAX_NAME_PREFIX) : name;
            return prefix + "." + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static ObjectReference reference(HasMetadata object) {
        return new ObjectReferenceBuilder()
                .withApiVersion(object.getApiVersion())
                .withKind(object.getKind())
                .withNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName())
                .withUid(object.getMetadata().getUid())
                .withResourceVersion(object.getMetadata().getResourceVersion())
                .build();
    }
}
