package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * At most one restart per controller per interval. The record of the last restart is the controller's own
 * {@code kubectl.kubernetes.io/restartedAt} pod-template annotation, not memory: it survives a restart of
 * probe-rewriter and a change of leader, and a {@code kubectl rollout restart} made by hand counts as well.
 */
public final class RestartSchedule {

    /** The annotation {@code kubectl rollout restart} sets on the pod template. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private RestartSchedule() {
    }

    /**
     * Whether the controller may be restarted at {@code now}: never restarted, restarted at least {@code interval}
     * ago, or a record that cannot be read. A record further in the future than one interval cannot come from a
     * clock that is merely a little off, and would block restarts for ever: it is not trusted either.
     */
    public static boolean due(Optional<Instant> lastRestart, Instant now, Duration interval) {
        if (lastRestart.isEmpty()) {
            return true;
        }
        Instant last = lastRestart.get();
        return !now.isBefore(last.plus(interval)) || last.isAfter(now.plus(interval));
    }

    /** When the controller was last restarted, from its pod template; empty when never or unreadable. */
    public static Optional<Instant> lastRestart(HasMetadata workload) {
        return template(workload)
                .map(PodTemplateSpec::getMetadata)
                .map(m -> m.getAnnotations())
                .map((Map<String, String> a) -> a.get(RESTARTED_AT))
                .flatMap(RestartSchedule::parse);
    }

    /** kubectl writes Go's RFC 3339 (seconds, with the local offset or Z); fractions are accepted too. */
    static Optional<Instant> parse(String value) {
        try {
            return Optional.of(OffsetDateTime.parse(value.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The value written, as kubectl writes it: RFC 3339 to the second, in UTC. */
    public static String stamp(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Optional<PodTemplateSpec> template(HasMetadata workload) {
        if (workload instanceof Deployment d && d.getSpec() != null) {
            return Optional.ofNullable(d.getSpec().getTemplate());
        }
        if (workload instanceof StatefulSet s && s.getSpec() != null) {
            return Optional.ofNullable(s.getSpec().getTemplate());
        }
        if (workload instanceof DaemonSet d && d.getSpec() != null) {
            return Optional.ofNullable(d.getSpec().getTemplate());
        }
        return Optional.empty();
    }
}
