package io.proberewriter.webhook;

import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.transport.OncePerInterval;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * One admission, body in, answer out: {@link ReviewCodec} reads the request and writes the response,
 * {@link PodMutator} decides what happens to the pod. It never calls the API server and never throws: a body that is
 * not an AdmissionReview gets 400; anything that goes wrong after that is our failure, and the pod is allowed
 * unchanged with a warning, so the webhook can never block a pod by mistake.
 */
@Singleton
public class AdmissionController {

    private static final Logger LOG = Logger.getLogger(AdmissionController.class);

    /** At most one line in this time about pods that could not be read. */
    static final Duration UNREADABLE_POD_LOG_INTERVAL = Duration.ofMinutes(1);

    /** Room for the longest path of a field and the parser's first line in that line; a longer problem is cut. */
    private static final int MAX_PROBLEM_LENGTH = 1_024;

    private static final String ERRORS = "probe_rewriter_admissions_total{outcome=\"error\"}";

    /**
     * What is answered when the mutation's answer could not be written: made once here, because the failure it
     * answers may be memory running out, and nothing more may be allocated before the answer.
     */
    private static final Mutation UNWRITTEN = Mutation.allow(Outcome.ERROR,
            List.copyOf(AdmissionWarnings.of("internal error, the pod was admitted unchanged")));

    private final PodMutator mutator;
    private final NamespaceCache namespaces;
    private final AdmissionMetrics metrics;

    /*
     * Our failures, one log per kind and minute: a bug that hits every pod fails every admission, and a stack trace
     * each would flood the log from the event loop. The metrics count each one.
     */
    private final RepeatedFailureLog failures;
    private final RepeatedFailureLog unwrittenAnswers;
    private final RepeatedFailureLog unreadableBodies;

    /*
     * Pods that could not be read (a field of the wrong type) are the client's doing, not a bug of ours, but a client
     * or a broken controller that creates thousands of them would flood the log just the same: one line an interval
     * names one of them and its problem, with the number admitted unchanged since the line before. The outcome
     * metric counts each one.
     */
    private final OncePerInterval unreadablePodLogged;
    /**
     * The pods not read since the last line about them, or null while there are none: one to name and their number,
     * swapped together, so that no count is left without a pod to name nor a pod named with another line's count.
     */
    private final AtomicReference<UnloggedPods> unloggedPods = new AtomicReference<>();

    private record UnloggedPods(String example, long count) {
        UnloggedPods plusOne() {
            return new UnloggedPods(example, count + 1);
        }
    }

    @Inject
    AdmissionController(PodMutator mutator, NamespaceCache namespaces, AdmissionMetrics metrics) {
        this(mutator, namespaces, metrics, System::nanoTime);
    }

    /** With the clock of the failures' log windows, for tests. */
    AdmissionController(PodMutator mutator, NamespaceCache namespaces, AdmissionMetrics metrics,
            LongSupplier nanoClock) {
        this.mutator = mutator;
        this.namespaces = namespaces;
        this.metrics = metrics;
        this.failures = new RepeatedFailureLog(LOG, ERRORS, nanoClock);
        this.unwrittenAnswers = new RepeatedFailureLog(LOG, ERRORS, nanoClock);
        this.unreadableBodies = new RepeatedFailureLog(LOG, ERRORS + " or probe_rewriter_rejected_requests_total"
                + "{reason=\"unreadable\"}", nanoClock);
        this.unreadablePodLogged = new OncePerInterval(UNREADABLE_POD_LOG_INTERVAL.toNanos(), nanoClock);
    }

    /**
     * The first admission pays for class loading and Jackson's model introspection (most of a second). Doing it
     * at startup, before the server reports ready, keeps that out of the API server's 5-second budget.
     */
    void warmUp(@Observes StartupEvent event) {
        try {
            ReviewRequest sample = ReviewCodec.read(WARM_UP_REVIEW.getBytes(StandardCharsets.UTF_8));
            ReviewCodec.write(sample.uid(), decide(sample));
        } catch (BadAdmissionRequest | RuntimeException e) {
            LOG.warnf("Warm-up admission failed (the webhook still serves): %s", e.toString());
        }
    }

    private static final String WARM_UP_REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"warm-up",
             "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"warm-up",
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"warm-up"},"spec":{"containers":[
              {"name":"app","ports":[{"name":"http","containerPort":8080}],
               "livenessProbe":{"httpGet":{"path":"/healthz","port":"http"}},
               "readinessProbe":{"httpGet":{"path":"/ready","port":8080}}}]}}}}""";

    public AdmissionAnswer handle(byte[] body) {
        try {
            return admit(body);
        } finally {
            // After the admission: if it is itself the first of its kind after the interval, its line names it.
            reportRepeats();
        }
    }

    private AdmissionAnswer admit(byte[] body) {
        long start = System.nanoTime();
        ReviewRequest request;
        try {
            request = read(body);
        } catch (BadAdmissionRequest e) {
            metrics.rejected(e.reason());
            return AdmissionAnswer.badRequest(e.getMessage());
        } catch (Throwable e) { // whatever failed, the API server gets an answer, never a 5xx
            return unreadable(body, e, start);
        }
        Mutation mutation;
        try {
            mutation = decide(request);
        } catch (Throwable e) { // OutOfMemoryError included: it unwinds the admission that caused it
            mutation = failed(request, e);
        }
        byte[] answer;
        try {
            answer = write(request.uid(), mutation);
        } catch (Throwable e) { // still an answer, never a 5xx
            // Counted as what the API server gets, the pod unchanged by our error: counted as the patch that never
            // left, the failure would escape the error ratio, and its probes would count as rewritten.
            mutation = UNWRITTEN;
            answer = unwritten(request, mutation, e);
        }
        try {
            // After the answer is written: probes are counted as rewritten only when the patch goes out.
            count(request, mutation);
        } catch (Throwable e) { // the answer is written, as it is, and matters more than a counter
            // Nothing to undo: the outcome below still says what the API server gets.
        }
        metrics.admitted(mutation.outcome(), Duration.ofNanos(System.nanoTime() - start));
        return AdmissionAnswer.json(answer);
    }

    /**
     * {@link ReviewCodec#read}; overridden by the test of what follows a failure no body can cause on purpose (an
     * OutOfMemoryError while a large pod is bound, a bug of ours).
     */
    ReviewRequest read(byte[] body) throws BadAdmissionRequest {
        return ReviewCodec.read(body);
    }

    private Mutation decide(ReviewRequest request) {
        if (!request.isPodCreate()) {
            return Mutation.allow(Outcome.SKIPPED, List.of());
        }
        NamespaceView namespace = namespaces.view(request.namespace());
        if (namespace.optedOut()) {
            // Before the pod is looked at: a pod that is not ours to judge is skipped even when it cannot be read.
            return Mutation.allow(Outcome.SKIPPED, List.of());
        }
        if (request.podProblem() != null) {
            unreadablePod(request);
            return Mutation.allow(Outcome.ERROR, AdmissionWarnings.of(
                    "the pod could not be read, admitted unchanged: " + request.podProblem()));
        }
        return mutator.mutate(request.pod(), namespace, request.name());
    }

    /**
     * Logs a pod that could not be read if it is the first of its interval, with the number of them since the last
     * such line; otherwise counts it, and keeps it to name if the count is logged by {@link #reportRepeats()}.
     */
    private void unreadablePod(ReviewRequest request) {
        if (unreadablePodLogged.first()) {
            UnloggedPods before = unloggedPods.getAndSet(null);
            logUnreadablePods(unreadable(request), (before == null ? 0 : before.count()) + 1);
            return;
        }
        // The text is built for the first of an interval only, not per pod.
        unloggedPods.updateAndGet(unlogged -> unlogged == null ? new UnloggedPods(unreadable(request), 1)
                : unlogged.plusOne());
    }

    /**
     * The part of the line that names the pod and its problem. The problem quotes the request (the path of the field,
     * map keys in it), so it is kept on one line like the pod's name.
     */
    private static String unreadable(ReviewRequest request) {
        return "Pod in " + request.describe() + " could not be read, admitted unchanged: "
                + AdmissionWarnings.singleLine("", request.podProblem(), MAX_PROBLEM_LENGTH);
    }

    private static void logUnreadablePods(String example, long since) {
        LOG.warnf("%s (pods not read since the last line like this: %,d; logged at most once a minute, each counted in"
                + " %s)", example, since, ERRORS);
    }

    /**
     * After every admission: the repeats not logged yet, of our failures and of pods that could not be read,
     * whose interval is over. Without it they would be logged only with the next one of their kind, and never if that
     * kind stopped. While none wait, this reads a field per log and allocates nothing.
     */
    private void reportRepeats() {
        try {
            failures.reportRepeats();
            unwrittenAnswers.reportRepeats();
            unreadableBodies.reportRepeats();
            if (unloggedPods.get() != null && unreadablePodLogged.first()) {
                UnloggedPods unlogged = unloggedPods.getAndSet(null);
                if (unlogged != null) {
                    logUnreadablePods(unlogged.example(), unlogged.count());
                }
            }
        } catch (Throwable logging) { // the admission matters more than the log line
            // The metrics still count every one.
        }
    }

    /**
     * The probe counters count pods that will run: not a dry run ({@code kubectl apply --dry-run=server},
     * {@code kubectl diff}), which creates nothing. A probe left broken is counted at the first pass only: a pod
     * that carries {@code probe-rewriter.io/original-probes} came through a pass that recorded it (ours, when the
     * API server reinvokes the webhook after a later one changed the pod, or the CLI's), whose probes left broken
     * were counted or reported then. Rewritten probes need no such rule: one recorded before comes out unchanged.
     */
    private void count(ReviewRequest request, Mutation mutation) {
        if (request.dryRun()) {
            return;
        }
        mutation.rewrite().ifPresent(result -> {
            if (!recordedByAnEarlierPass(request)) {
                metrics.probesLeftIncompatible(result);
            }
            if (mutation.outcome() == Outcome.PATCHED) {
                metrics.probesRewritten(result);
            }
        });
    }

    private static boolean recordedByAnEarlierPass(ReviewRequest request) {
        if (request.pod() == null || request.pod().getMetadata() == null) {
            return false;
        }
        Map<String, String> annotations = request.pod().getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(Annotations.ORIGINAL_PROBES);
    }

    /** Our failure on an admissible request: allowed, unchanged, with the reason; logged when logging still works. */
    private Mutation failed(ReviewRequest request, Throwable e) {
        Mutation mutation = Mutation.allow(Outcome.ERROR, AdmissionWarnings.of(
                "internal error, the pod was admitted unchanged: " + e));
        try {
            failures.error(e, "Admission of %s failed; the pod is allowed unchanged", request.describe());
        } catch (Throwable logging) { // the answer matters more than the log line
            // Nothing more to do: the warning and the metric still say it.
        }
        return mutation;
    }

    /**
     * The answer when the mutation's could not be written: the same without patch or warnings, and if even that
     * fails, the smallest AdmissionReview that allows the pod, written by hand.
     */
    private byte[] unwritten(ReviewRequest request, Mutation unchanged, Throwable e) {
        try {
            unwrittenAnswers.error(e, "Response for %s could not be written; the pod is allowed unchanged",
                    request.describe());
            return write(request.uid(), unchanged);
        } catch (Throwable again) { // the model itself fails: written by hand
            return ReviewCodec.allowedUnchanged(request.uid());
        }
    }

    /** {@link ReviewCodec#write}; overridden by the test of an answer that cannot be written. */
    byte[] write(String uid, Mutation mutation) {
        return ReviewCodec.write(uid, mutation);
    }

    /**
     * Reading the body failed in a way the codec's checks did not foresee (our bug, or memory): if the uid can still
     * be read, the pod is allowed unchanged like any other failure of ours; otherwise the body is refused with 400.
     */
    private AdmissionAnswer unreadable(byte[] body, Throwable e, long start) {
        try {
            unreadableBodies.error(e, "AdmissionReview of %d bytes could not be read", body.length);
        } catch (Throwable logging) { // the answer matters more than the log line
            // The metric still counts it.
        }
        Optional<String> uid = ReviewCodec.uidOf(body);
        if (uid.isEmpty()) {
            metrics.rejected(RejectionReason.UNREADABLE);
            return AdmissionAnswer.badRequest("the body could not be read: " + e);
        }
        metrics.admitted(Outcome.ERROR, Duration.ofNanos(System.nanoTime() - start));
        return AdmissionAnswer.json(ReviewCodec.allowedUnchanged(uid.get()));
    }
}
