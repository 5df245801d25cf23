package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Warning Events on the objects the reconcilers look at, as {@code kubectl describe} shows them. Repeating the same
 * warning on the same object bumps the count of one Event instead of adding another (what client-go's event
 * correlator does), so a reconciler that runs every few minutes does not flood the namespace.
 */
@Singleton
public class WarningEvents {

    /** The {@code source.component} of every Event probe-rewriter records. */
    public static final String COMPONENT = "probe-rewriter";
    private static final Logger LOG = Logger.getLogger(WarningEvents.class);
    /** 253 characters at most, less the dot and the 16 hex digits of the digest. */
    private static final int MAX_NAME_PREFIX = 253 - 17;

    private final KubernetesClient client;
    private final Clock clock;

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
        String now = clock.instant().toString();
        try {
            Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
            if (existing != null) {
                Event counted = new EventBuilder(existing)
                        .withCount(Optional.ofNullable(existing.getCount()).orElse(1) + 1)
                        .withLastTimestamp(now)
                        .build();
                try {
                    client.v1().events().inNamespace(namespace).resource(counted).update();
                    return;
                } catch (KubernetesClientException e) {
                    // The API server expires Events (--event-ttl, 1h by default): gone since it was read, it is
                    // created afresh below rather than lost.
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withInvolvedObject(reference(object))
                    .withType("Warning")
                    .withReason(reason)
                    .withMessage(message)
                    .withCount(1)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("Could not record the %s event on %s %s/%s: %s", reason, object.getKind(), namespace,
                    object.getMetadata().getName(), e.getMessage());
        }
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
