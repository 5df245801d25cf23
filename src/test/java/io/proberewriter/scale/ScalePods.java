package io.proberewriter.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;

/**
 * Pods as large as the API server lets through to a mutating webhook. Admission webhooks run before the API server
 * validates the object, so the only bound on a pod they are sent is the size of the request (3 MiB): a pod may hold
 * tens of thousands of containers, and annotations far past the 256 KiB that validation allows later.
 *
 * <p>The shapes are the smallest that still reach the code under test, so that a 3 MiB request holds as many of
 * them as it can: a container is a name and one {@code httpGet} probe.
 */
public final class ScalePods {

    /** The API server's limit on a request body, and so on the AdmissionReview it sends (3 MiB). */
    public static final int API_SERVER_REQUEST_LIMIT = 3 * 1024 * 1024;
    /** The API server's limit on the annotations of an object, keys and values together (256 KiB). */
    public static final int ANNOTATIONS_LIMIT = 256 * 1024;

    public static final ObjectMapper JSON = new ObjectMapper();

    private ScalePods() {
    }

    /** {@code containers} containers, each with {@code probesPerContainer} (1–3) HTTP probes on port 8080. */
    public static ObjectNode withContainers(int containers, int probesPerContainer) {
        ObjectNode pod = empty("scale");
        ArrayNode list = (ArrayNode) pod.at("/spec/containers");
        for (int i = 0; i < containers; i++) {
            addContainer(list, "c" + i, probesPerContainer);
        }
        return pod;
    }

    /**
     * {@code annotations} annotations {@code probe-rewriter.io/mode.<name>} that name no container of the pod, on a pod
     * with {@code containers} containers of one probe each: every one of them is a warning.
     */
    public static ObjectNode withAnnotationsNamingNoContainer(int annotations, int containers) {
        ObjectNode pod = withContainers(containers, 1);
        ObjectNode map = ((ObjectNode) pod.get("metadata")).putObject("annotations");
        for (int i = 0; i < annotations; i++) {
            map.put("probe-rewriter.io/mode.x" + i, "exec");
        }
        return pod;
    }

    /** The issue's pod: 20,000 containers and 6,500 annotations naming none of them (0.84 MB). */
    public static ObjectNode theIssuesPod() {
        return withAnnotationsNamingNoContainer(6_500, 20_000);
    }

    /**
     * As many one-probe containers as fit in the largest AdmissionReview the API server sends: {@code overhead}
     * bytes are left for the envelope around the pod.
     */
    public static ObjectNode largestLegal(int overhead) {
        ObjectNode pod = empty("largest");
        ArrayNode list = (ArrayNode) pod.at("/spec/containers");
        int budget = API_SERVER_REQUEST_LIMIT - overhead - pod.toString().length();
        for (int i = 0; ; i++) {
            int size = containerJson("c" + i, 1).length() + 1; // and the comma before it
            if (size > budget) {
                return pod;
            }
            addContainer(list, "c" + i, 1);
            budget -= size;
        }
    }

    /**
     * Port mode for {@code containers} containers, each with a health port of its own (a per-container annotation),
     * on a pod whose exclusion annotation already lists {@code ranges} ranges: the merge of thousands of ports into a
     * long list.
     */
    public static ObjectNode withHealthPorts(int containers, int ranges) {
        ObjectNode pod = withContainers(containers, 1);
        ObjectNode annotations = ((ObjectNode) pod.get("metadata")).putObject("annotations");
        annotations.put("probe-rewriter.io/mode", "port");
        for (int i = 0; i < containers; i++) {
            annotations.put("probe-rewriter.io/health-port.c" + i, Integer.toString(20_000 + i));
        }
        StringBuilder list = new StringBuilder("15020");
        for (int i = 0; i < ranges; i++) {
            // Ranges below the health ports, so that none of them is covered already.
            int low = 1 + (i * 7) % 19_000;
            list.append(',').append(low).append('-').append(low + 3);
        }
        annotations.put("traffic.sidecar.istio.io/excludeInboundPorts", list.toString());
        return pod;
    }

    /** Sets one annotation of the pod, creating the map if needed; returns the pod. */
    public static ObjectNode annotate(ObjectNode pod, String key, String value) {
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        ObjectNode annotations = metadata.has("annotations") ? (ObjectNode) metadata.get("annotations")
                : metadata.putObject("annotations");
        annotations.put(key, value);
        return pod;
    }

    /** What the API server counts against its annotation limit: keys and values, in UTF-8 bytes. */
    public static long annotationBytes(JsonNode pod) {
        long total = 0;
        for (var it = pod.path("metadata").path("annotations").fields(); it.hasNext(); ) {
            var e = it.next();
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    public static Pod toPod(ObjectNode pod) {
        return JSON.convertValue(pod, Pod.class);
    }

    public static int containerCount(ObjectNode pod) {
        return pod.at("/spec/containers").size();
    }

    /** The probes of every container and init container: each may earn a warning of its own. */
    public static int probeCount(ObjectNode pod) {
        int probes = 0;
        for (String list : new String[] {"/spec/containers", "/spec/initContainers"}) {
            for (JsonNode container : pod.at(list)) {
                for (String kind : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
                    probes += container.has(kind) ? 1 : 0;
                }
            }
        }
        return probes;
    }

    private static ObjectNode empty(String name) {
        ObjectNode pod = JSON.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", name).put("namespace", "default");
        pod.putObject("spec").putArray("containers");
        return pod;
    }

    private static void addContainer(ArrayNode list, String name, int probes) {
        ObjectNode container = list.addObject();
        container.put("name", name);
        String[] kinds = {"livenessProbe", "readinessProbe", "startupProbe"};
        for (int p = 0; p < probes; p++) {
            container.putObject(kinds[p]).putObject("httpGet").put("port", 8080);
        }
    }

    private static String containerJson(String name, int probes) {
        ArrayNode one = JSON.createArrayNode();
        addContainer(one, name, probes);
        return one.get(0).toString();
    }
}
