package io.proberewriter.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.patch.PodPatch;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The admission envelope around the engine: request in, AdmissionReview out. It never calls the API server and
 * never throws: a body that is not an AdmissionReview gets 400; anything that goes wrong after that is our
 * failure, and the pod is allowed unchanged with a warning, so the webhook can never block a pod by mistake.
 */
@Singleton
public class AdmissionController {

    static final String API_VERSION = "admission.k8s.io/v1";
    static final String KIND = "AdmissionReview";

    private static final Logger LOG = Logger.getLogger(AdmissionController.class);
    /** NON_NULL: the response carries no null noise. */
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final ProbeRewriter engine;
    private final NamespaceCache namespaces;
    private final AdmissionMetrics metrics;
    private final int maxWarnings;

    AdmissionController(ProbeRewriter engine, NamespaceCache namespaces, AdmissionMetrics metrics,
                        ProbeRewriterConfig config) {
        this.engine = engine;
        this.namespaces = namespaces;
        this.metrics = metrics;
        this.maxWarnings = config.webhook().maxWarnings();
    }

    /**
     * The first admission pays for class loading and Jackson's model introspection (most of a second). Doing it
     * at startup, before the server reports ready, keeps that out of the API server's 5-second budget.
     */
    void warmUp(@Observes StartupEvent event) {
        try {
            Envelope sample = Envelope.parse(WARM_UP_REVIEW.getBytes(StandardCharsets.UTF_8));
            Decision decision = decide(sample, false);
            serialize(response(sample.uid(), decision));
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
        long start = System.nanoTime();
        Envelope envelope;
        try {
            envelope = Envelope.parse(body);
        } catch (BadAdmissionRequest e) {
            metrics.rejected(e.reason());
            return AdmissionAnswer.badRequest(e.getMessage());
        } catch (Throwable e) { // whatever failed, the API server gets an answer, never a 5xx
            return unreadable(body, e, start);
        }
        Decision decision;
        try {
            decision = decide(envelope, true);
        } catch (Throwable e) { // OutOfMemoryError included: it unwinds the admission that caused it
            decision = failed(envelope, e);
        }
        byte[] answer = answer(envelope, decision);
        metrics.admitted(decision.outcome(), Duration.ofNanos(System.nanoTime() - start));
        return AdmissionAnswer.json(answer);
    }

    /** Our failure on an admissible request: allowed, unchanged, with the reason; logged when logging still works. */
    private static Decision failed(Envelope envelope, Throwable e) {
        Decision decision = Decision.allow(Outcome.ERROR, AdmissionWarnings.of(
                "internal error, the pod was admitted unchanged: " + e));
        try {
            LOG.errorf(e, "Admission of %s failed; the pod is allowed unchanged", envelope.describe());
        } catch (Throwable logging) { // the answer matters more than the log line
            // Nothing more to do: the warning and the metric still say it.
        }
        return decision;
    }

    /**
     * The response, serialized; if that fails, the same without patch or warnings, and if even that fails, the
     * smallest AdmissionReview that allows the pod, written by hand.
     */
    private byte[] answer(Envelope envelope, Decision decision) {
        try {
            return serialize(response(envelope.uid(), decision));
        } catch (Throwable e) { // still an answer, never a 5xx
            try {
                LOG.errorf(e, "Response for %s could not be written; the pod is allowed unchanged",
                        envelope.describe());
                return serialize(response(envelope.uid(), Decision.allow(Outcome.ERROR,
                        AdmissionWarnings.of("internal error, the pod was admitted unchanged"))));
            } catch (Throwable again) { // the model itself fails: written by hand
                return allowedUnchanged(envelope.uid());
            }
        }
    }

    /**
     * Reading the body failed in a way the envelope checks did not foresee (our bug, or memory): if the uid can still
     * be read, the pod is allowed unchanged like any other failure of ours; otherwise the body is refused with 400.
     */
    private AdmissionAnswer unreadable(byte[] body, Throwable e, long start) {
        try {
            LOG.errorf(e, "AdmissionReview of %d bytes could not be read", body.length);
        } catch (Throwable logging) { // the answer matters more than the log line
            // The metric still counts it.
        }
        Optional<String> uid = Envelope.uidOf(body);
        if (uid.isEmpty()) {
            metrics.rejected("unreadable");
            return AdmissionAnswer.badRequest("the body could not be read: " + e);
        }
        metrics.admitted(Outcome.ERROR, Duration.ofNanos(System.nanoTime() - start));
        return AdmissionAnswer.json(allowedUnchanged(uid.get()));
    }

    /** Allowed, no patch, outcome error: built without the model, for when the model is what failed. */
    private static byte[] allowedUnchanged(String uid) {
        String quotedUid = new String(JsonStringEncoder.getInstance().quoteAsString(uid));
        return ("{\"apiVersion\":\"" + API_VERSION + "\",\"kind\":\"" + KIND + "\",\"response\":{\"uid\":\""
                + quotedUid + "\",\"allowed\":true,\"auditAnnotations\":{\"outcome\":\"" + Outcome.ERROR.label()
                + "\"},\"warnings\":[\"" + AdmissionWarnings.PREFIX
                + "internal error, the pod was admitted unchanged\"]}}").getBytes(StandardCharsets.UTF_8);
    }

    /** What to answer, before it becomes an AdmissionReview. */
    record Decision(Outcome outcome, Optional<ArrayNode> patch, List<String> warnings) {
        static Decision allow(Outcome outcome, List<String> warnings) {
            return new Decision(outcome, Optional.empty(), warnings);
        }
    }

    private Decision decide(Envelope envelope, boolean counted) {
        if (!envelope.isPodCreate()) {
            return Decision.allow(Outcome.SKIPPED, List.of());
        }
        Optional<Namespace> namespace = namespaces.get(envelope.namespace());
        if (namespace.isPresent() && !optedIn(namespace.get())) {
            // The webhook configuration's namespaceSelector should not have sent this; do not act on it.
            return Decision.allow(Outcome.SKIPPED, List.of());
        }
        if (envelope.podProblem() != null) {
            LOG.warnf("Pod in %s could not be read, admitted unchanged: %s", envelope.describe(), envelope.podProblem());
            return Decision.allow(Outcome.ERROR, AdmissionWarnings.of(
                    "the pod could not be read, admitted unchanged: " + envelope.podProblem()));
        }
        Pod pod = envelope.pod();
        if (pod.getMetadata() != null && pod.getMetadata().getNamespace() == null) {
            pod.getMetadata().setNamespace(envelope.namespace());
        }
        RewriteResult result = engine.rewrite(pod, NamespaceCache.context(envelope.namespace(), namespace));
        List<String> warnings = AdmissionWarnings.of(result, displayName(pod, envelope), envelope.namespace(),
                maxWarnings);
        if (counted) {
            metrics.probesLeftIncompatible(result);
        }
        if (!result.changed()) {
            return Decision.allow(Outcome.UNCHANGED, warnings);
        }
        ArrayNode patch = PodPatch.of(result, pod.getMetadata(), "");
        if (counted) {
            metrics.probesRewritten(result);
        }
        return new Decision(Outcome.PATCHED, Optional.of(patch), warnings);
    }

    /** On CREATE a pod often has only a generateName: say so rather than print an empty name. */
    private static String displayName(Pod pod, Envelope envelope) {
        if (!envelope.name().isEmpty()) {
            return envelope.name();
        }
        if (pod.getMetadata() != null && pod.getMetadata().getName() != null) {
            return pod.getMetadata().getName();
        }
        if (pod.getMetadata() != null && pod.getMetadata().getGenerateName() != null) {
            return pod.getMetadata().getGenerateName() + "<generated>";
        }
        return "<unnamed>";
    }

    private static boolean optedIn(Namespace namespace) {
        Map<String, String> labels = namespace.getMetadata().getLabels();
        return labels != null && "true".equals(labels.get(Annotations.ENABLED_LABEL));
    }

    private static AdmissionReview response(String uid, Decision decision) {
        AdmissionResponseBuilder response = new AdmissionResponseBuilder()
                .withUid(uid)
                .withAllowed(true)
                .withWarnings(decision.warnings())
                .withAuditAnnotations(Map.of("outcome", decision.outcome().label()));
        decision.patch().ifPresent(patch -> response.withPatchType("JSONPatch")
                .withPatch(Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8))));
        AdmissionResponse built = response.build();
        return new AdmissionReviewBuilder().withApiVersion(API_VERSION).withKind(KIND).withResponse(built).build();
    }

    private static byte[] serialize(AdmissionReview review) {
        try {
            return JSON.writeValueAsBytes(review);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize an AdmissionReview", e);
        }
    }
}
