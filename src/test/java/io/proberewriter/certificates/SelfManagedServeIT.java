package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The default install's processes as the Deployment runs them: two replicas of the packaged jar, {@code serve},
 * prod profile (so with leader election), certificates from the operator's Secret. They start while the API server
 * is not there yet — alive, not ready, waiting — then the (mock) API server appears with the shipped webhook
 * configuration: one replica takes the Lease and makes the certificates and the caBundle, both become ready, both
 * admit a pod over HTTPS the way the API server calls them, and both serve the renewed certificate without a
 * failed call, while only the Lease holder writes.
 */
class SelfManagedServeIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final String NAMESPACE = "probe-rewriter-system";

    /** One replica of the Deployment: its own process, ports and log. */
    private static final class Replica {
        final String name;
        final int httpsPort;
        final int managementPort;
        final Process process;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        Replica(String name, int apiPort) throws IOException {
            this.name = name;
            this.httpsPort = freePort();
            this.managementPort = freePort();
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
            // Short-lived serving certificates, so that a renewal happens while the test watches.
            env.put("PROBE_REWRITER_OPERATOR_CERTIFICATES_SERVING_VALIDITY", "12s");
            env.put("HOSTNAME", name);
            builder.redirectErrorStream(true);
            process = builder.start();
            Thread reader = new Thread(() -> read(process.getInputStream(), log));
            reader.setDaemon(true);
            reader.start();
        }

        boolean logged(String text) {
            synchronized (log) {
                return log.stream().anyMatch(line -> line.contains(text));
            }
        }

        String tail() {
            synchronized (log) {
                return name + ":\n" + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size()));
            }
        }
    }

    private final List<Replica> replicas = new ArrayList<>();
    private KubernetesMockServer apiServer;

    @AfterEach
    void stop() throws Exception {
        for (Replica replica : replicas) {
            replica.process.destroy();
            replica.process.waitFor(30, TimeUnit.SECONDS);
        }
        if (apiServer != null) {
            apiServer.destroy();
        }
    }

    @Test
    void twoReplicasComeUpWithoutCertManagerOnceTheApiServerAnswersAndFollowARenewal() throws Exception {
        int apiPort = freePort();
        Replica a = new Replica("probe-rewriter-7d9f-aaaaa", apiPort);
        Replica b = new Replica("probe-rewriter-7d9f-bbbbb", apiPort);
        replicas.addAll(List.of(a, b));

        for (Replica replica : replicas) {
            await("the operator waits for the API server",
                    () -> replica.logged("API server not reachable; starting the operator when it is"));
            assertEquals(200, managementStatus(replica.managementPort, "/q/health/live"), "alive without an API server");
            assertEquals(503, managementStatus(replica.managementPort, "/q/health/ready"),
                    "not ready without a certificate");
        }

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

        await("one replica holds the Lease", () -> holder(client) != null);
        Replica leader = holder(client).equals(a.name) ? a : b;
        Replica follower = leader == a ? b : a;
        await("the caBundle is written", () -> caBundle(client) != null && !caBundle(client).isEmpty());
        for (Replica replica : replicas) {
            await(replica.name + " is ready", () -> managementStatus(replica.managementPort, "/q/health/ready") == 200);
        }

        // Both replicas serve the same certificate, trusted through the caBundle, and follow its renewal.
        String first = serial(call(client, a));
        assertEquals(first, serial(call(client, b)));
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        boolean renewedEverywhere = false;
        while (!renewedEverywhere) {
            assertTrue(System.nanoTime() < deadline, "no renewal reached both replicas");
            renewedEverywhere = true;
            for (Replica replica : replicas) {
                try {
                    ApiServerCall call = call(client, replica);
                    if (call.status() != 200) {
                        failures.add(replica.name + ": status " + call.status());
                    }
                    renewedEverywhere &= !serial(call).equals(first);
                } catch (Exception e) {
                    failures.add(replica.name + ": " + e);
                    renewedEverywhere = false;
                }
            }
            Thread.sleep(50);
        }
        assertEquals(List.of(), failures);
        assertEquals(leader.name, holder(client), "the Lease stayed where it was");
        assertTrue(leader.logged("Created Secret probe-rewriter-system/probe-rewriter-tls"), leader.tail());
        assertFalse(follower.logged("Created Secret") || follower.logged("Updated Secret"),
                "only the Lease holder writes: " + follower.tail());
        for (Replica replica : replicas) {
            assertTrue(replica.process.isAlive(), replica.tail());
        }

        // SIGTERM, as the kubelet stops a pod: the leader stops in good time (the Deployment allows 30 s). Stopping
        // the operator gives up the Lease; that must not be taken for a lost Lease and hang the shutdown.
        long stopping = System.nanoTime();
        leader.process.destroy();
        if (!leader.process.waitFor(25, TimeUnit.SECONDS)) {
            dumpThreads(leader, Path.of("target/leader-threads.txt"));
            throw new AssertionError("the leader did not stop within 25 s after SIGTERM (threads: "
                    + "target/leader-threads.txt): " + leader.tail());
        }
        System.out.printf("leader stopped in %d ms%n", Duration.ofNanos(System.nanoTime() - stopping).toMillis());
        replicas.remove(leader);

        // The stopped leader gave its Lease up: the other replica takes it at its next try (every 4 s), not when the
        // Lease would have expired (30 s), and from then on writes: a blanked caBundle is put back by it.
        long stopped = System.nanoTime();
        await("the other replica holds the Lease", () -> follower.name.equals(holder(client)));
        Duration handOver = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.printf("Lease handed over %d ms after the leader stopped%n", handOver.toMillis());
        assertTrue(handOver.compareTo(Duration.ofSeconds(15)) < 0, "the Lease was given up, not left to expire: "
                + handOver + "\n" + follower.tail());
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(""));
            return c;
        });
        await("the new leader restores the caBundle", () -> !caBundle(client).isEmpty());
        // The certificates here live 12 s: the serving certificate may have reached its renewal while the Lease changed
        // hands, and the new leader renews it (writing the Secret after the caBundle).
        await("the new leader's renewed certificate is served", () -> {
            try {
                return call(client, follower).status() == 200;
            } catch (Exception expiredOrNotYet) {
                return false;
            }
        });
        assertTrue(follower.process.isAlive(), follower.tail());
    }

    /** A thread dump of a replica that hangs, for whoever reads the failure. */
    private static void dumpThreads(Replica replica, Path file) {
        try {
            new ProcessBuilder("jstack", String.valueOf(replica.process.pid())).redirectErrorStream(true)
                    .redirectOutput(file.toFile()).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // No jstack on this machine: the log tail must do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ApiServerCall call(KubernetesClient client, Replica replica) throws Exception {
        return ApiServerCall.post(replica.httpsPort, "probe-rewriter.probe-rewriter-system.svc", caBundle(client),
                SelfManagedCertificatesTest.REVIEW);
    }

    private static String serial(ApiServerCall call) {
        return call.served().getSerialNumber().toString(16);
    }

    private static String holder(KubernetesClient client) {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName("probe-rewriter-operator").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static String caBundle(KubernetesClient client) {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").get()
                .getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    private static void read(InputStream in, List<String> log) {
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
            for (Replica replica : replicas) {
                assertTrue(replica.process.isAlive(), "serve exited while waiting until " + what + ": " + replica.tail());
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what + ": "
                    + replicas.stream().map(Replica::tail).reduce("", (x, y) -> x + "\n" + y));
            Thread.sleep(100);
        }
    }
}
