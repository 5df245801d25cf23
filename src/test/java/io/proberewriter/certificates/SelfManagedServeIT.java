package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default install's process as the Deployment runs it: the packaged jar, {@code serve}, prod profile (so with
 * leader election), certificates from the operator's Secret. It starts while the API server is not there yet —
 * the webhook comes up, not ready, and waits — then the (mock) API server appears with the shipped webhook
 * configuration, and the process takes the Lease, makes its certificates, fills the caBundle, becomes ready and
 * admits a pod over HTTPS the way the API server calls it.
 */
class SelfManagedServeIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final String NAMESPACE = "probe-rewriter-system";

    private Process serve;
    private KubernetesMockServer apiServer;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() throws Exception {
        if (serve != null) {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
        if (apiServer != null) {
            apiServer.destroy();
        }
    }

    @Test
    void comesUpWithoutCertManagerOnceTheApiServerAnswers() throws Exception {
        int apiPort = freePort();
        int httpsPort = freePort();
        int managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "serve");
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "http://127.0.0.1:" + apiPort);
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("PROBE_REWRITER_NAMESPACE", NAMESPACE);
        env.put("PROBE_REWRITER_TLS_SOURCE", "secret");
        env.put("PROBE_REWRITER_MTLS_RESOLVER", "assume-all");
        env.put("HOSTNAME", "probe-rewriter-7d9f-abcde");
        builder.redirectErrorStream(true);
        serve = builder.start();
        Thread reader = new Thread(() -> read(serve.getInputStream()));
        reader.setDaemon(true);
        reader.start();

        await("the operator waits for the API server",
                () -> logged("API server not reachable; starting the operator when it is"));
        assertEquals(200, managementStatus(managementPort, "/q/health/live"), "alive without an API server");
        assertEquals(503, managementStatus(managementPort, "/q/health/ready"), "not ready without a certificate");

        // The API server arrives, with what `kubectl apply -k k8s/overlays/default` creates for the operator.
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        apiServer.init(InetAddress.getByName("127.0.0.1"), apiPort);
        // java-operator-sdk asks whether it may use Leases; the mock server has no RBAC to answer.
        apiServer.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .addToApiGroups("coordination.k8s.io").addToResources("leases")
                        .addToVerbs("get", "create", "update", "patch").endResourceRule().withIncomplete(false)
                        .endStatus().build())
                .always();
        KubernetesClient client = apiServer.createClient();
        try (InputStream manifest = Files.newInputStream(Path.of("k8s/base/mutatingwebhookconfiguration.yaml"))) {
            client.resource(Serialization.unmarshal(manifest, MutatingWebhookConfiguration.class)).create();
        }

        await("this replica holds the Lease", () -> {
            Lease lease = client.leases().inNamespace(NAMESPACE).withName("probe-rewriter-operator").get();
            return lease != null && "probe-rewriter-7d9f-abcde".equals(lease.getSpec().getHolderIdentity());
        });
        await("the caBundle is written", () -> caBundle(client) != null && !caBundle(client).isEmpty());
        await("ready", () -> managementStatus(managementPort, "/q/health/ready") == 200);
        assertTrue(client.secrets().inNamespace(NAMESPACE).withName("probe-rewriter-ca").get() != null);

        ApiServerCall call = ApiServerCall.post(httpsPort, "probe-rewriter.probe-rewriter-system.svc",
                caBundle(client), SelfManagedCertificatesTest.REVIEW);
        assertEquals(200, call.status());
        assertTrue(serve.isAlive(), String.join("\n", log));
    }

    private static String caBundle(KubernetesClient client) {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").get()
                .getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    private boolean logged(String text) {
        synchronized (log) {
            return log.stream().anyMatch(line -> line.contains(text));
        }
    }

    private void read(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                log.add(line);
            }
        } catch (IOException ended) {
            // The process is gone.
        }
    }

    private static int managementStatus(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // Not there yet.
            }
            assertTrue(serve.isAlive(), "serve exited while waiting until " + what + ":\n" + String.join("\n", log));
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what + ":\n"
                    + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
            Thread.sleep(100);
        }
    }
}
