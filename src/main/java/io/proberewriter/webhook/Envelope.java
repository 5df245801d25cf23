package io.proberewriter.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The parts of an AdmissionReview v1 request this webhook reads, checked before anything else: a body that is
 * not one gets a 400 naming what is wrong. The object stays a JSON tree until we know it is a pod we rewrite.
 */
record Envelope(String uid, String group, String version, String kind, String operation, String namespace,
                String name, boolean dryRun, JsonNode object) {

    /** Deeply nested bodies are refused before they can exhaust the stack. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build()).build();

    static Envelope parse(byte[] body) throws BadAdmissionRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadAdmissionRequest("malformed-json", "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadAdmissionRequest("malformed-json", "unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new BadAdmissionRequest("not-admission-review", "the body is not a JSON object");
        }
        String apiVersion = root.path("apiVersion").asText("");
        String kind = root.path("kind").asText("");
        if (!AdmissionController.KIND.equals(kind)) {
            throw new BadAdmissionRequest("not-admission-review",
                    "kind is \"" + kind + "\", expected " + AdmissionController.KIND);
        }
        if (!AdmissionController.API_VERSION.equals(apiVersion)) {
            throw new BadAdmissionRequest("not-admission-review", "apiVersion is \"" + apiVersion + "\", expected "
                    + AdmissionController.API_VERSION + " (set admissionReviewVersions: [v1] in the webhook configuration)");
        }
        JsonNode request = root.get("request");
        if (request == null || request.isNull()) {
            throw new BadAdmissionRequest("missing-request", "request is missing");
        }
        if (!request.isObject()) {
            throw new BadAdmissionRequest("missing-request", "request is not an object");
        }
        String uid = text(request, "uid");
        if (uid.isEmpty()) {
            throw new BadAdmissionRequest("missing-uid", "request.uid is missing");
        }
        JsonNode gvk = request.path("kind");
        String operation = text(request, "operation");
        JsonNode object = request.get("object");
        Envelope envelope = new Envelope(uid, text(gvk, "group"), text(gvk, "version"), text(gvk, "kind"), operation,
                text(request, "namespace"), text(request, "name"), request.path("dryRun").asBoolean(false), object);
        if (envelope.isPodCreate() && (object == null || !object.isObject())) {
            throw new BadAdmissionRequest("missing-object", "request.object is missing for a pod CREATE");
        }
        return envelope;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? "" : value.asText();
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
