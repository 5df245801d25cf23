package io.proberewriter.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.proberewriter.json.Mappers;
import io.proberewriter.json.StrictJson;
import io.proberewriter.json.TooManyFieldNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AdmissionReview v1 codec, the only place that knows the envelope: a request body in, the {@link ReviewRequest}
 * out (or a {@link BadAdmissionRequest}, 400, naming what is wrong); a {@link Mutation} out as the response, with the
 * uid, the base64 JSON patch and the audit annotation; and, for when the model itself fails, the smallest response
 * that allows the pod, written by hand.
 *
 * <p>The body is bound in one streaming pass, and the fields of the pod that the engine never reads (env vars,
 * resources, tolerations, managed fields, …) are skipped by the parser instead of being built into objects. Volumes,
 * mounts, hooks, the pod's OS, its node selector and its required node affinity are read (of volumes, only the name
 * and an emptyDir): the engine rewrites hooks, and places the prober only where it fits and can run.
 * A pod's size therefore costs only tokenization; what costs is the probes. The pod read here is a partial view:
 * enough for the engine and for a targeted patch, never to be written back whole.
 */
final class ReviewCodec {

    static final String API_VERSION = "admission.k8s.io/v1";
    static final String KIND = "AdmissionReview";

    /** The response carries no null noise. */
    private static final ObjectMapper RESPONSE_JSON = Mappers.WRITTEN;

    /**
     * Bodies up to this size are read with Jackson's symbol table ({@link Mappers#smallAdmissionReviewFactory()}):
     * a typical pod is some 20 KiB, and 64 KiB cannot hold more names than the table handles at little cost; larger
     * bodies, which can hold tens of thousands of the sender's keys, are read with a limit on the names the table
     * may take ({@link Mappers#largeAdmissionReviewFactory()}), and without the table past it.
     */
    static final int SMALL_BODY_BYTES = 64 * 1024;

    /** Deeply nested bodies are refused before they can exhaust the stack; scalars are not silently coerced. */
    private static final ObjectReader JSON = withFieldsNotRead(Mappers.admissionReviewReader()).readerFor(Review.class);
    // Readers of the same mapper with other parsers: Jackson builds the deserializers of fabric8's model once for
    // all three (the warm-up admission's), not again on the first large or ill-formed body.
    private static final ObjectReader SMALL_BODY_JSON = JSON.with(Mappers.smallAdmissionReviewFactory());
    private static final ObjectReader LARGE_BODY_JSON = JSON.with(Mappers.largeAdmissionReviewFactory());
    /** The same without skipping: for the rare body whose pod cannot be bound, to still answer its uid. */
    private static final ObjectMapper TREE = Mappers.admissionReviewReader();

    private static ObjectMapper withFieldsNotRead(ObjectMapper mapper) {
        return mapper.addMixIn(Pod.class, PodFieldsNotRead.class)
                .addMixIn(PodSpec.class, PodSpecFieldsNotRead.class)
                .addMixIn(Container.class, ContainerFieldsNotRead.class)
                .addMixIn(ObjectMeta.class, MetadataFieldsNotRead.class)
                .addMixIn(PodSecurityContext.class, PodSecurityContextFieldsRead.class)
                .addMixIn(Volume.class, VolumeFieldsRead.class)
                .addMixIn(Affinity.class, AffinityFieldsRead.class)
                .addMixIn(NodeAffinity.class, NodeAffinityFieldsRead.class);
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"status"})
    private abstract static class PodFieldsNotRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"tolerations",
            "topologySpreadConstraints", "imagePullSecrets", "hostAliases", "dnsConfig", "readinessGates",
            "schedulingGates", "resourceClaims", "overhead", "ephemeralContainers"})
    private abstract static class PodSpecFieldsNotRead {
    }

    /** Of the pod's security context, only whether it runs as root, which the prober's init container must undo. */
    @JsonIncludeProperties({"runAsUser"})
    private abstract static class PodSecurityContextFieldsRead {
    }

    // The scalars too, where every container has them (image, its pull policy, the termination message's path and
    // policy): skipped by the scanner, they are not made into strings and set by reflection, ten times in a pod of
    // ten containers. The arguments are read: port mode extends those of Istio's init container (IstioInitExclusion);
    // so are the resources: the prober's init container keeps a Guaranteed pod Guaranteed (PodQos) and within a
    // type: Pod LimitRange (ProberPlacement).
    @JsonIgnoreProperties(ignoreUnknown = true, value = {"env", "envFrom", "volumeDevices",
            "resizePolicy", "securityContext", "command", "workingDir", "image",
            "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce", "tty"})
    private abstract static class ContainerFieldsNotRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"managedFields"})
    private abstract static class MetadataFieldsNotRead {
    }

    /**
     * Of a volume, only what tells the prober's own apart: every pod has at least the projected service-account
     * token, whose sources would otherwise be bound for nothing.
     */
    @JsonIncludeProperties({"name", "emptyDir"})
    private abstract static class VolumeFieldsRead {
    }

    /** Of the affinity, only the node affinity the scheduler must obey: it tells a pod bound to Windows nodes. */
    @JsonIncludeProperties({"nodeAffinity"})
    private abstract static class AffinityFieldsRead {
    }

    @JsonIncludeProperties({"requiredDuringSchedulingIgnoredDuringExecution"})
    private abstract static class NodeAffinityFieldsRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Review(String apiVersion, String kind, Request request) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Request(String uid, Kind kind, String operation, String namespace, String name, Boolean dryRun,
                           Pod object) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Kind(String group, String version, String kind) {
    }

    static ReviewRequest read(byte[] body) throws BadAdmissionRequest {
        Review review;
        try {
            review = bind(body);
        } catch (MismatchedInputException | ValueInstantiationException e) {
            // A field of the wrong type, or a value a class of the model refuses (a port neither an integer nor a
            // string).
            if (e.getPath().isEmpty()) {
                throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW,
                        body.length == 0 ? "the body is empty, not a JSON object" : "the body is not a JSON object");
            }
            if (insideObject(e.getPath())) {
                return withUnreadablePod(body, e);
            }
            throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW,
                    where(e.getPath()) + StrictJson.message(e));
        } catch (JsonProcessingException e) {
            throw new BadAdmissionRequest(RejectionReason.MALFORMED_JSON, "malformed JSON: " + StrictJson.message(e));
        } catch (IOException e) {
            throw new BadAdmissionRequest(RejectionReason.MALFORMED_JSON, "unreadable body: " + e.getMessage());
        }
        if (review == null) {
            throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW, "the body is not a JSON object");
        }
        return validated(review, null);
    }

    /**
     * Binds the review with the reader that fits the body: Jackson's UTF-8 parser with its symbol table for
     * well-formed UTF-8 (every body the API server sends), and the JDK's decoder for the rest, so that every body is
     * decoded as any other JSON reader would. Jackson's UTF-8 parser decodes some ill-formed sequences its own way,
     * and its table matches a name by its bytes packed four by four, padding the last group with 0xFF bytes: a key
     * whose last group starts with them ({@code "readinessPro\xFFbe"}) was found as a name the table already held
     * ({@code "readinessProbe"}) without ever being decoded. Both were found by the fuzz test; the API server never
     * sends such bytes (Go's JSON encoder writes only valid UTF-8). Through the JDK's decoder, ill-formed bytes become
     * U+FFFD. A large body that holds too many distinct names for the table is read again without it.
     */
    private static Review bind(byte[] body) throws IOException {
        if (!WellFormedUtf8.check(body)) {
            return JSON.readValue(body);
        }
        if (body.length <= SMALL_BODY_BYTES) {
            return SMALL_BODY_JSON.readValue(body);
        }
        try {
            return LARGE_BODY_JSON.readValue(body);
        } catch (JsonProcessingException e) {
            if (TooManyFieldNames.causedBy(e)) {
                return JSON.readValue(body);
            }
            throw e;
        }
    }

    /** Whether a body is read by the small bodies' reader: the symbol table with no limit on new names. */
    static boolean canonicalizable(byte[] body) {
        return body.length <= SMALL_BODY_BYTES && WellFormedUtf8.check(body);
    }

    /**
     * Just {@code request.uid}, read by streaming past everything else, for when reading the request failed
     * unexpectedly: empty when the body holds no usable uid, or when this fails too.
     */
    static Optional<String> uidOf(byte[] body) {
        try (JsonParser parser = TREE.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("request".equals(field) && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = parser.currentName();
                        JsonToken innerValue = parser.nextToken();
                        if ("uid".equals(inner)) {
                            return innerValue == JsonToken.VALUE_STRING && !parser.getText().isEmpty()
                                    ? Optional.of(parser.getText()) : Optional.empty();
                        }
                        parser.skipChildren();
                    }
                    return Optional.empty();
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (Throwable e) { // a last resort must not fail in turn
            return Optional.empty();
        }
    }

    private static ReviewRequest validated(Review review, String podProblem) throws BadAdmissionRequest {
        String kind = review.kind() == null ? "" : review.kind();
        String apiVersion = review.apiVersion() == null ? "" : review.apiVersion();
        if (!KIND.equals(kind)) {
            throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW,
                    "kind is \"" + kind + "\", expected " + KIND);
        }
        if (!API_VERSION.equals(apiVersion)) {
            throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW, "apiVersion is \"" + apiVersion
                    + "\", expected " + API_VERSION
                    + " (set admissionReviewVersions: [v1] in the webhook configuration)");
        }
        Request sent = review.request();
        if (sent == null) {
            throw new BadAdmissionRequest(RejectionReason.MISSING_REQUEST, "request is missing");
        }
        if (sent.uid() == null || sent.uid().isEmpty()) {
            throw new BadAdmissionRequest(RejectionReason.MISSING_UID, "request.uid is missing");
        }
        Kind gvk = sent.kind() == null ? new Kind("", "", "") : sent.kind();
        ReviewRequest request = new ReviewRequest(sent.uid(), orEmpty(gvk.group()), orEmpty(gvk.version()),
                orEmpty(gvk.kind()), orEmpty(sent.operation()), orEmpty(sent.namespace()),
                orEmpty(sent.name()), Boolean.TRUE.equals(sent.dryRun()),
                sent.object(), podProblem);
        if (request.isPodCreate() && sent.object() == null && podProblem == null) {
            throw new BadAdmissionRequest(RejectionReason.MISSING_OBJECT, "request.object is missing for a pod CREATE");
        }
        return request;
    }

    /** A pod with a field of the wrong type: still an admission request, answered with its uid. */
    private static ReviewRequest withUnreadablePod(byte[] body, JsonMappingException problem)
            throws BadAdmissionRequest {
        JsonNode root;
        try {
            root = TREE.readTree(body);
        } catch (IOException e) {
            throw new BadAdmissionRequest(RejectionReason.MALFORMED_JSON, "malformed JSON: " + e.getMessage());
        }
        if (root.has("request") && root.get("request").isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("request")).remove("object");
        }
        Review review;
        try {
            review = TREE.treeToValue(root, Review.class);
        } catch (JsonProcessingException e) {
            throw new BadAdmissionRequest(RejectionReason.NOT_ADMISSION_REVIEW, StrictJson.message(e));
        }
        return validated(review, where(problem.getPath()) + StrictJson.message(problem));
    }

    private static boolean insideObject(List<JsonMappingException.Reference> path) {
        return path.size() > 2 && "request".equals(path.get(0).getFieldName())
                && "object".equals(path.get(1).getFieldName());
    }

    private static String where(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "" : out + ": ";
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** The response that answers {@code uid} with the mutation: always allowed, the patch (if any) in base64. */
    static byte[] write(String uid, Mutation mutation) {
        // The model's plain setters, not its builders: a builder copies every value it is given once more, and the
        // response is written for every admission.
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(uid);
        response.setAllowed(true);
        response.setWarnings(mutation.warnings());
        response.setAuditAnnotations(Map.of("outcome", mutation.outcome().label()));
        try {
            if (mutation.patch().isPresent()) {
                response.setPatchType("JSONPatch");
                // The patch's bytes rather than their base64 as a String: Jackson writes a byte[] as base64 straight
                // into the answer's buffer, where a String would be encoded, copied, scanned for characters to escape
                // and encoded again as UTF-8 (some 5% of a ten-container pod's admission under C1). The model's own
                // field is a String, so the bytes go in as its additional property of the same name; the field, left
                // null, is not written.
                response.setAdditionalProperty("patch", mutation.patch().get().toJson());
            }
            AdmissionReview review = new AdmissionReview();
            review.setApiVersion(API_VERSION);
            review.setKind(KIND);
            review.setResponse(response);
            return RESPONSE_JSON.writeValueAsBytes(review);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize an AdmissionReview", e);
        }
    }

    /** Allowed, no patch, outcome error: built without the model, for when the model is what failed. */
    static byte[] allowedUnchanged(String uid) {
        String quotedUid = new String(JsonStringEncoder.getInstance().quoteAsString(uid));
        return ("{\"apiVersion\":\"" + API_VERSION + "\",\"kind\":\"" + KIND + "\",\"response\":{\"uid\":\""
                + quotedUid + "\",\"allowed\":true,\"auditAnnotations\":{\"outcome\":\"" + Outcome.ERROR.label()
                + "\"},\"warnings\":[\"" + AdmissionWarnings.PREFIX
                + "internal error, the pod was admitted unchanged\"]}}").getBytes(StandardCharsets.UTF_8);
    }
}
