package io.proberewriter.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.UUID;

/** AdmissionReview requests as the API server sends them, and what tests read from the answers. */
final class Reviews {

    static final ObjectMapper JSON = new ObjectMapper();

    private Reviews() {
    }

    static ObjectNode podCreate(String namespace, JsonNode pod) {
        return request("", "v1", "Pod", "pods", "CREATE", namespace, pod);
    }

    static ObjectNode request(String group, String version, String kind, String resource, String operation,
                              String namespace, JsonNode object) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        ObjectNode gvk = request.putObject("kind");
        gvk.put("group", group);
        gvk.put("version", version);
        gvk.put("kind", kind);
        ObjectNode gvr = request.putObject("resource");
        gvr.put("group", group);
        gvr.put("version", version);
        gvr.put("resource", resource);
        request.put("operation", operation);
        request.put("namespace", namespace);
        request.putObject("userInfo").put("username", "kubernetes-admin");
        request.put("dryRun", false);
        if (object != null) {
            request.set("object", object);
        }
        return review;
    }

    static JsonNode response(HttpResponse<byte[]> http) throws Exception {
        return JSON.readTree(http.body()).path("response");
    }

    /** The decoded JSON patch, or null when the response carries none. */
    static ArrayNode patch(JsonNode response) throws Exception {
        if (!response.hasNonNull("patch")) {
            return null;
        }
        return (ArrayNode) JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    }

    /** Applies the patch with zjsonpatch: an implementation independent of the one that built it. */
    static JsonNode applied(JsonNode object, JsonNode response) throws Exception {
        ArrayNode patch = patch(response);
        return patch == null ? object : JsonPatch.apply(patch, object.deepCopy());
    }
}
