package io.proberewriter.bench.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * The pods the benchmark sends, as the API server sends them: made by a ReplicaSet (generateName, owner reference,
 * the pod-template-hash label), with the fields the API server defaults filled in and the {@code managedFields} of
 * the controller that wrote it. The typical pod is what a Deployment makes of an ordinary service (one container,
 * three HTTP probes, some sixty env vars, volumes, resources; about 20 KB); the worst cases are what still fits in
 * a request: many env vars, a pod of about 1 MiB, ten containers.
 */
public final class BenchmarkPods {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarkPods() {
    }

    /** One container, liveness, readiness and startup probes over HTTP, 60 env vars. */
    public static byte[] typical() {
        return review(pod(1, 60, 112));
    }

    /** The typical pod alone, as the API server stores it (managed fields included), in namespace {@code shop}. */
    public static ObjectNode typicalPod() {
        return pod(1, 60, 112);
    }

    static byte[] manyEnvVars() {
        return review(pod(1, 1_500, 72));
    }

    /** About 1 MiB: env vars with long values (a configuration passed in the environment). */
    static byte[] oneMebibyte() {
        return review(pod(1, 1_500, 600));
    }

    /** Ten containers of the typical one's kind: thirty HTTP probes, 600 env vars. */
    public static byte[] tenContainers() {
        return review(pod(10, 60, 112));
    }

    private static byte[] review(ObjectNode pod) {
        ObjectNode review = NODES.objectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.putObject("requestKind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("requestResource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", "shop").put("operation", "CREATE");
        ObjectNode user = request.putObject("userInfo")
                .put("username", "system:serviceaccount:kube-system:replicaset-controller")
                .put("uid", "6b3c2f1e-8a4d-4c7e-9f0a-1d2e3f4a5b6c");
        user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:kube-system")
                .add("system:authenticated");
        request.set("object", pod);
        request.putNull("oldObject");
        request.put("dryRun", false);
        request.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", "CreateOptions");
        try {
            return JSON.writeValueAsBytes(review);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode pod(int containers, int envVars, int envValueLength) {
        ObjectNode pod = NODES.objectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("generateName", "checkout-7d9f8b6c5d-")
                .put("namespace", "shop");
        metadata.putObject("labels").put("app", "checkout").put("app.kubernetes.io/name", "checkout")
                .put("app.kubernetes.io/version", "2.14.1").put("pod-template-hash", "7d9f8b6c5d");
        metadata.putObject("annotations").put("kubectl.kubernetes.io/restartedAt", "2026-11-02T10:14:07Z")
                .put("prometheus.io/scrape", "true").put("prometheus.io/port", "9090");
        metadata.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
                .put("name", "checkout-7d9f8b6c5d").put("uid", "0f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910")
                .put("controller", true).put("blockOwnerDeletion", true);

        ObjectNode spec = pod.putObject("spec");
        ArrayNode list = spec.putArray("containers");
        for (int c = 0; c < containers; c++) {
            list.add(container(containers == 1 ? "app" : "app-" + c, 8080 + c, envVars, envValueLength));
        }
        ArrayNode volumes = spec.putArray("volumes");
        volumes.addObject().put("name", "config").putObject("configMap").put("name", "checkout-config")
                .put("defaultMode", 420);
        ObjectNode projected = volumes.addObject().put("name", "kube-api-access-x7k2p").putObject("projected")
                .put("defaultMode", 420);
        ArrayNode sources = projected.putArray("sources");
        sources.addObject().putObject("serviceAccountToken").put("expirationSeconds", 3607).put("path", "token");
        ObjectNode ca = sources.addObject().putObject("configMap").put("name", "kube-root-ca.crt");
        ca.putArray("items").addObject().put("key", "ca.crt").put("path", "ca.crt");
        sources.addObject().putObject("downwardAPI").putArray("items").addObject().put("path", "namespace")
                .putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", "metadata.namespace");
        spec.put("restartPolicy", "Always").put("terminationGracePeriodSeconds", 30).put("dnsPolicy", "ClusterFirst")
                .put("serviceAccountName", "checkout").put("serviceAccount", "checkout")
                .put("schedulerName", "default-scheduler").put("priority", 0).put("enableServiceLinks", true)
                .put("preemptionPolicy", "PreemptLowerPriority");
        spec.putObject("securityContext").put("runAsNonRoot", true).putObject("seccompProfile")
                .put("type", "RuntimeDefault");
        ArrayNode tolerations = spec.putArray("tolerations");
        for (String taint : new String[] {"not-ready", "unreachable"}) {
            tolerations.addObject().put("key", "node.kubernetes.io/" + taint).put("operator", "Exists")
                    .put("effect", "NoExecute").put("tolerationSeconds", 300);
        }
        // What kube-controller-manager wrote, as the API server records it: one entry per field it set.
        ObjectNode fields = NODES.objectNode();
        fields.set("f:metadata", fieldsOf(metadata, java.util.Set.of("namespace")));
        fields.set("f:spec", fieldsOf(spec, java.util.Set.of()));
        metadata.putArray("managedFields").addObject().put("manager", "kube-controller-manager")
                .put("operation", "Update").put("apiVersion", "v1").put("time", "2026-11-02T10:14:07Z")
                .put("fieldsType", "FieldsV1").set("fieldsV1", fields);
        return pod;
    }

    private static ObjectNode container(String name, int port, int envVars, int envValueLength) {
        ObjectNode container = NODES.objectNode().put("name", name)
                .put("image", "registry.example.com/shop/checkout:2.14.1@sha256:" + "4f".repeat(32))
                .put("imagePullPolicy", "IfNotPresent");
        ArrayNode ports = container.putArray("ports");
        ports.addObject().put("name", "http").put("containerPort", port).put("protocol", "TCP");
        ports.addObject().put("name", "metrics").put("containerPort", 9090).put("protocol", "TCP");
        ArrayNode env = container.putArray("env");
        for (int i = 0; i < envVars; i++) {
            if (i % 10 == 9) {
                env.addObject().put("name", "POD_FIELD_" + i).putObject("valueFrom").putObject("fieldRef")
                        .put("apiVersion", "v1").put("fieldPath", "metadata.labels['app']");
            } else {
                env.addObject().put("name", "CHECKOUT_SETTING_" + i).put("value", value(i, envValueLength));
            }
        }
        ObjectNode resources = container.putObject("resources");
        resources.putObject("requests").put("cpu", "250m").put("memory", "256Mi");
        resources.putObject("limits").put("cpu", "1").put("memory", "512Mi");
        ArrayNode mounts = container.putArray("volumeMounts");
        mounts.addObject().put("name", "config").put("mountPath", "/etc/checkout").put("readOnly", true);
        mounts.addObject().put("name", "kube-api-access-x7k2p")
                .put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount").put("readOnly", true);
        container.set("livenessProbe", probe("/healthz", NODES.textNode("http"), 10, 3));
        container.set("readinessProbe", probe("/ready", NODES.numberNode(port), 5, 3));
        container.set("startupProbe", probe("/started", NODES.textNode("http"), 2, 30));
        container.put("terminationMessagePath", "/dev/termination-log")
                .put("terminationMessagePolicy", "File");
        ObjectNode security = container.putObject("securityContext").put("allowPrivilegeEscalation", false)
                .put("readOnlyRootFilesystem", true);
        security.putObject("capabilities").putArray("drop").add("ALL");
        return container;
    }

    private static ObjectNode probe(String path, JsonNode port, int period, int failures) {
        ObjectNode probe = NODES.objectNode();
        probe.putObject("httpGet").put("path", path).put("scheme", "HTTP").set("port", port);
        return probe.put("timeoutSeconds", 1).put("periodSeconds", period).put("successThreshold", 1)
                .put("failureThreshold", failures);
    }

    private static String value(int i, int length) {
        StringBuilder value = new StringBuilder("value-" + i + "-");
        while (value.length() < length) {
            value.append(Integer.toHexString(value.length() * 31 + i));
        }
        return value.substring(0, length);
    }

    /** The FieldsV1 set of an object: {@code f:<field>} per field, {@code k:{"name":…}} per named list item. */
    private static ObjectNode fieldsOf(ObjectNode object, java.util.Set<String> skipped) {
        ObjectNode fields = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (skipped.contains(field.getKey())) {
                continue;
            }
            fields.set("f:" + field.getKey(), fieldsOfValue(field.getValue()));
        }
        return fields;
    }

    private static JsonNode fieldsOfValue(JsonNode value) {
        if (value.isObject()) {
            return fieldsOf((ObjectNode) value, java.util.Set.of());
        }
        if (value.isArray() && value.size() > 0 && value.get(0).has("name")) {
            ObjectNode items = NODES.objectNode();
            for (JsonNode item : value) {
                ObjectNode itemFields = fieldsOf((ObjectNode) item, java.util.Set.of());
                ObjectNode withDot = NODES.objectNode();
                withDot.putObject(".");
                withDot.setAll(itemFields);
                items.set("k:{\"name\":\"" + item.get("name").asText() + "\"}", withDot);
            }
            return items;
        }
        return NODES.objectNode();
    }
}
