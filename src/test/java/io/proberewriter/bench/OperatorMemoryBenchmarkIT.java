package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.proberewriter.bench.wire.BenchmarkPods;
import io.proberewriter.bench.wire.ProcessMemory;
import io.proberewriter.bench.wire.ShippedRuntime;
import io.proberewriter.loopback.FreePorts;
import io.proberewriter.operator.LeaseRights;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the operator's process holds for a cluster of N pods: the packaged {@code operate}, with the operator
 * Deployment's JVM flags and memory limit, against a mock API server holding N copies of the wire benchmark's typical
 * pod (19 KB of JSON, managed fields included) in one opted-in namespace. Once the audit has judged them all (its
 * gauge of broken pods reaches N: the pods never went through the webhook), the heap after a full collection and the
 * resident memory are printed. docs/operations.md sizes the operator's memory limit from these figures. Run with
 * {@code mvn -B verify -Pbenchmark -Dit.test=OperatorMemoryBenchmarkIT}; {@code -Dbench.pods=0,2500,5000} sets N,
 * {@code -Dbench.histogram=20} prints the heap's largest classes, and
 * {@code -Dbench.jvm-options=-XX:NativeMemoryTracking=summary} the JVM's own accounting. {@code -Dbench.churn=R} then
 * replaces all N pods by N new ones R times, as a cluster replaces its pods over days, and prints the heap after each
 * round: what the operator keeps of pods that are gone shows as a heap that grows from round to round.
 */
@Tag("benchmark")
class OperatorMemoryBenchmarkIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String NAMESPACE = "shop";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void heapAndResidentMemoryByPodsInTheCluster() throws Exception {
        ShippedRuntime runtime = ShippedRuntime.operator();
        List<Integer> counts = Arrays.stream(System.getProperty("bench.pods", "0,2500,5000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        System.out.println();
        System.out.println("== the operator's memory by pods in the cluster (" + runtime.describe() + ") ==");
        for (int pods : counts) {
            measure(runtime, pods);
        }
    }

    private static void measure(ShippedRuntime runtime, int pods) throws Exception {
        int apiPort = FreePorts.take();
        int managementPort = FreePorts.take();
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new PagingDispatcher(responses), false);
        apiServer.init(InetAddress.getByName("127.0.0.1"), apiPort);
        LeaseRights.grantedBy(apiServer);
        Path log = Files.createTempFile("operate-" + pods + "-", ".log");
        Process process = null;
        try (KubernetesClient client = apiServer.createClient()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                    .addToLabels("probe-rewriter.io/enabled", "true").endMetadata().build()).create();
            ObjectNode template = BenchmarkPods.typicalPod();
            ((ObjectNode) template.get("metadata")).remove("generateName");
            long created = System.nanoTime();
            for (int i = 0; i < pods; i++) {
                ((ObjectNode) template.get("metadata")).put("name", String.format(Locale.ROOT, "checkout-%05d", i));
                Pod pod = JSON.treeToValue(template, Pod.class);
                pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
                client.pods().inNamespace(NAMESPACE).resource(pod).create();
            }
            double createSeconds = (System.nanoTime() - created) / 1e9;

            List<String> command = new ArrayList<>(runtime.command(List.of()));
            command.addAll(List.of("-jar", JAR.toString(), "operate"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "http://127.0.0.1:" + apiPort);
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            env.put("PROBE_REWRITER_NAMESPACE", "probe-rewriter-system");
            env.put("PROBE_REWRITER_MTLS_RESOLVER", "assume-all");
            // No webhook configuration here for the certificates to go into; they are a few objects either way.
            env.put("PROBE_REWRITER_OPERATOR_CERTIFICATES_ENABLED", "false");
            env.put("HOSTNAME", "probe-rewriter-operator-bench");
            process = builder.start();
            double judgedSeconds = awaitJudged(process, managementPort, pods, log);
            long pid = process.pid();
            jcmd(pid, "GC.run");
            jcmd(pid, "GC.run");
            double heapMiB = heapUsedMiB(jcmd(pid, "GC.heap_info"));
            long residentKiB;
            try (ProcessMemory memory = new ProcessMemory(pid)) {
                residentKiB = memory.residentKiB();
            }
            System.out.printf(Locale.ROOT, "%,6d pods: heap used after a full GC %6.1f MiB (of %d MiB), RSS %4d MiB;"
                    + " all judged %5.1f s after start (pods created in %.0f s)%n", pods, heapMiB,
                    runtime.memoryLimitBytes() * 60 / 100 / (1 << 20), residentKiB / 1024, judgedSeconds,
                    createSeconds);
            assertTrue(heapMiB > 0, "no heap figure in: " + jcmd(pid, "GC.heap_info"));
            if (runtime.options().contains("-XX:NativeMemoryTracking=summary")) {
                jcmd(pid, "VM.native_memory summary").lines().filter(l -> l.startsWith("-") || l.contains("Total"))
                        .forEach(System.out::println);
            }
            int rounds = Integer.getInteger("bench.churn", 0);
            for (int round = 1; round <= rounds && pods > 0; round++) {
                replacePods(client, template, pods, round);
                long replaced = System.nanoTime();
                awaitJudged(process, managementPort, pods, log);
                double seconds = (System.nanoTime() - replaced) / 1e9;
                jcmd(pid, "GC.run");
                jcmd(pid, "GC.run");
                System.out.printf(Locale.ROOT, "%,6d pods replaced by new ones (round %d): heap used after a full GC"
                        + " %6.1f MiB; all judged %5.1f s after the last was created%n", pods, round,
                        heapUsedMiB(jcmd(pid, "GC.heap_info")), seconds);
            }
            int classes = Integer.getInteger("bench.histogram", 0);
            if (classes > 0) {
                jcmd(pid, "GC.class_histogram").lines().limit(classes + 3L).forEach(System.out::println);
            }
        } finally {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            apiServer.destroy();
        }
    }

    /** Deletes every pod of the namespace, waits until none is left, and creates {@code pods} others in their place. */
    private static void replacePods(KubernetesClient client, ObjectNode template, int pods, int round)
            throws Exception {
        for (Pod old : client.pods().inNamespace(NAMESPACE).list().getItems()) {
            client.pods().inNamespace(NAMESPACE).resource(old).delete();
        }
        for (int i = 0; i < pods; i++) {
            ((ObjectNode) template.get("metadata")).put("name",
                    String.format(Locale.ROOT, "checkout-r%d-%05d", round, i));
            ((ObjectNode) template.get("metadata")).put("uid", java.util.UUID.randomUUID().toString());
            Pod pod = JSON.treeToValue(template, Pod.class);
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
            client.pods().inNamespace(NAMESPACE).resource(pod).create();
        }
    }

    /**
     * The mock API server answering a list with {@code limit} one page at a time, as the API server does (the mock
     * itself returns every item whatever the limit): the {@code continue} token is the offset of the next page.
     */
    private static final class PagingDispatcher extends KubernetesMixedDispatcher {

        private static final Pattern LIMIT = Pattern.compile("[?&]limit=(\\d+)");
        private static final Pattern CONTINUE = Pattern.compile("[?&]continue=(\\d+)");

        PagingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            MockResponse response = super.dispatch(request);
            String path = request.getPath();
            Matcher limit = LIMIT.matcher(path);
            if (!"GET".equals(request.getMethod()) || path.contains("watch=true") || !limit.find()
                    || response.getBody() == null) {
                return response;
            }
            try {
                ObjectNode list = (ObjectNode) JSON.readTree(response.getBody().getBytes());
                if (!list.path("items").isArray()) {
                    return response;
                }
                Matcher token = CONTINUE.matcher(path);
                int from = token.find() ? Integer.parseInt(token.group(1)) : 0;
                int size = Integer.parseInt(limit.group(1));
                com.fasterxml.jackson.databind.node.ArrayNode all = (com.fasterxml.jackson.databind.node.ArrayNode)
                        list.get("items");
                com.fasterxml.jackson.databind.node.ArrayNode page = JSON.createArrayNode();
                for (int i = from; i < Math.min(all.size(), from + size); i++) {
                    page.add(all.get(i));
                }
                list.set("items", page);
                ObjectNode metadata = list.has("metadata") ? (ObjectNode) list.get("metadata")
                        : list.putObject("metadata");
                if (from + size < all.size()) {
                    metadata.put("continue", String.valueOf(from + size));
                    metadata.put("remainingItemCount", all.size() - from - size);
                } else {
                    metadata.remove("continue");
                }
                return response.setBody(JSON.writeValueAsBytes(list));
            } catch (IOException e) {
                throw new IllegalStateException("not a list: " + path, e);
            }
        }
    }

    /** Seconds from now until the audit's gauge for the namespace reads {@code pods} (or, for none, until ready). */
    private static double awaitJudged(Process process, int managementPort, int pods, Path log) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(15);
        Pattern gauge = Pattern.compile("^probe_rewriter_audit_pods_with_broken_probes\\{[^}]*namespace=\""
                + NAMESPACE + "\"[^}]*} ([0-9.eE+]+)$", Pattern.MULTILINE);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("operate exited with " + process.exitValue() + "; log: " + log);
            }
            try {
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                        + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = gauge.matcher(metrics);
                if (pods == 0 && Files.readString(log).contains("started in")) {
                    // Nothing to judge: give the informers their first (empty) lists.
                    Thread.sleep(5_000);
                    return (System.nanoTime() - start) / 1e9;
                }
                if (m.find() && Double.parseDouble(m.group(1)) >= pods) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (IOException notYet) {
                // The management port is not open yet.
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the audit did not judge " + pods + " pods within 15 minutes; log: " + log);
    }

    private static double heapUsedMiB(String heapInfo) {
        // Serial: "def new generation total …K, used …K" and "tenured generation total …K, used …K"; G1: "used …K".
        Pattern used = Pattern.compile("used (\\d+)K");
        long kib = 0;
        for (String line : heapInfo.split("\n")) {
            Matcher m = used.matcher(line);
            if ((line.contains("generation") || line.contains("heap")) && m.find()) {
                kib += Long.parseLong(m.group(1));
            }
        }
        return kib / 1024.0;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

}
