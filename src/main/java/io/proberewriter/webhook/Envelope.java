package io.proberewriter.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.proberewriter.json.StrictJson;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an AdmissionReview v1 request this webhook reads, checked before anything else: a body that is
 * not one gets a 400 naming what is wrong.
 *
 * <p>The body is bound in one streaming pass, and the fields of the pod that the engine never reads (env vars,
 * volumes, mounts, resources, managed fields, …) are skipped by the parser instead of being built into objects.
 * A pod's size therefore costs only tokenization; what costs is the probes. The pod read here is a partial view:
 * enough for the engine and for a targeted patch, never to be written back whole.
 *
 * @param pod        the pod of a pod CREATE, or null
 * @param podProblem why the pod could not be read (a field of the wrong type), or null
 */
record Envelope(String uid, String group, String version, String kind, String operation, String namespace,
                String name, boolean dryRun, Pod pod, String podProblem) {

    /** Deeply nested bodies are refused before they can exhaust the stack; scalars are not silently coerced. */
    private static final ObjectMapper JSON = strictMapper()
            .addMixIn(Pod.class, PodFieldsNotRead.class)
            .addMixIn(PodSpec.class, PodSpecFieldsNotRead.class)
            .addMixIn(Container.class, ContainerFieldsNotRead.class)
            .addMixIn(ObjectMeta.class, MetadataFieldsNotRead.class);
    /** The same without skipping: for the rare body whose pod cannot be bound, to still answer its uid. */
    private static final ObjectMapper TREE = strictMapper();

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"status"})
    private abstract static class PodFieldsNotRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"volumes", "affinity", "tolerations",
            "topologySpreadConstraints", "imagePullSecrets", "hostAliases", "dnsConfig", "readinessGates",
            "schedulingGates", "resourceClaims", "overhead", "securityContext", "ephemeralContainers", "os"})
    private abstract static class PodSpecFieldsNotRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"env", "envFrom", "volumeMounts", "volumeDevices",
            "resources", "resizePolicy", "lifecycle", "securityContext", "command", "args", "workingDir"})
    private abstract static class ContainerFieldsNotRead {
    }

    @JsonIgnoreProperties(ignoreUnknown = true, value = {"managedFields"})
    private abstract static class MetadataFieldsNotRead {
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

    /**
     * Field names are not canonicalized: Jackson's symbol table pays off for names that repeat across documents, but
     * annotation and label keys are the sender's, and tens of thousands of distinct ones made it cost ten times the
     * rest of the parse, growing faster than the request.
     */
    private static ObjectMapper strictMapper() {
        return StrictJson.refuseScalarsAsStrings(JsonMapper.builder(JsonFactory.builder()
                        .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build());
    }

    static Envelope parse(byte[] body) throws BadAdmissionRequest {
        Review review;
        try {
            review = JSON.readValue(body, Review.class);
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty()) {
                throw new BadAdmissionRequest("not-admission-review",
                        body.length == 0 ? "the body is empty, not a JSON object" : "the body is not a JSON object");
            }
            if (insideObject(e.getPath())) {
                return withUnreadablePod(body, e);
            }
            throw new BadAdmissionRequest("not-admission-review", where(e.getPath()) + StrictJson.message(e));
        } catch (JsonProcessingException e) {
            throw new BadAdmissionRequest("malformed-json", "malformed JSON: " + StrictJson.message(e));
        } catch (IOException e) {
            throw new BadAdmissionRequest("malformed-json", "unreadable body: " + e.getMessage());
        }
        if (review == null) {
            throw new BadAdmissionRequest("not-admission-review", "the body is not a JSON object");
        }
        return validated(review, null);
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

    private static Envelope validated(Review review, String podProblem) throws BadAdmissionRequest {
        String kind = review.kind() == null ? "" : review.kind();
        String apiVersion = review.apiVersion() == null ? "" : review.apiVersion();
        if (!AdmissionController.KIND.equals(kind)) {
            throw new BadAdmissionRequest("not-admission-review",
                    "kind is \"" + kind + "\", expected " + AdmissionController.KIND);
        }
        if (!AdmissionController.API_VERSION.equals(apiVersion)) {
            throw new BadAdmissionRequest("not-admission-review", "apiVersion is \"" + apiVersion + "\", expected "
                    + AdmissionController.API_VERSION + " (set admissionReviewVersions: [v1] in the webhook configuration)");
        }
        Request request = review.request();
        if (request == null) {
            throw new BadAdmissionRequest("missing-request", "request is missing");
        }
        if (request.uid() == null || request.uid().isEmpty()) {
            throw new BadAdmissionRequest("missing-uid", "request.uid is missing");
        }
        Kind gvk = request.kind() == null ? new Kind("", "", "") : request.kind();
        Envelope envelope = new Envelope(request.uid(), orEmpty(gvk.group()), orEmpty(gvk.version()),
                orEmpty(gvk.kind()), orEmpty(request.operation()), orEmpty(request.namespace()),
                orEmpty(request.name()), Boolean.TRUE.equals(request.dryRun()),
                request.object(), podProblem);
        if (envelope.isPodCreate() && request.object() == null && podProblem == null) {
            throw new BadAdmissionRequest("missing-object", "request.object is missing for a pod CREATE");
        }
        return envelope;
    }

    /** A pod with a field of the wrong type: still an admission request, answered with its uid. */
    private static Envelope withUnreadablePod(byte[] body, MismatchedInputException problem)
            throws BadAdmissionRequest {
        JsonNode root;
        try {
            root = TREE.readTree(body);
        } catch (IOException e) {
            throw new BadAdmissionRequest("malformed-json", "malformed JSON: " + e.getMessage());
        }
        if (root.has("request") && root.get("request").isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("request")).remove("object");
        }
        Review review;
        try {
            review = TREE.treeToValue(root, Review.class);
        } catch (JsonProcessingException e) {
            throw new BadAdmissionRequest("not-admission-review", StrictJson.message(e));
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

    /** Only pods on CREATE are rewritten: probes of a running pod cannot change. */
    boolean isPodCreate() {
        return group.isEmpty() && "v1".equals(version) && "Pod".equals(kind) && "CREATE".equals(operation);
    }

    String describe() {
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + (name.isEmpty() ? "(generated name)" : name)
                + " " + operation + " uid " + uid;
    }
}
