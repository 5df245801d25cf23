package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.proberewriter.install.ApiRequest;
import io.proberewriter.install.KubeYaml;
import io.proberewriter.install.RbacRules;
import io.proberewriter.loopback.FreePorts;
import io.proberewriter.operator.LeaseRights;
import io.proberewriter.packaging.ImageClassArchive;
import io.proberewriter.polling.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default install's processes as its two Deployments run them, from the packaged jar in the prod profile, started
 * as the image's entrypoint starts them (the flat class path of its argument file, ImageClassArchive): two
 * webhook replicas ({@code serve}, ServiceAccount probe-rewriter-webhook) and two operator replicas
 * ({@code operate}, ServiceAccount probe-rewriter-operator, leader election). The (mock) API server enforces the
 * RBAC that k8s/base grants each account, told apart by their tokens, as a real one would. They start while the API
 * server is not there yet — alive, not ready, waiting — then it appears with the shipped webhook configuration: one
 * operator takes the Lease and makes the certificates and the caBundle, both webhook replicas become ready and admit a
 * pod over HTTPS the way the API server calls them, and both serve the renewed certificate without a failed call.
 * Only the Lease holder writes; the webhook replicas never write anything, and nothing any process asks is refused.
 * A stopped leader hands the Lease over in seconds, and the next one takes over the writing.
 */
class SelfManagedServeIT {

    private static final Path APP = Path.of("target/quarkus-app");
    /** The image's argument file for this build, written once for all the replicas ({@link #launchArgs()}). */
    private static String launchArgs;
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final String NAMESPACE = "probe-rewriter-system";
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

    /** The two processes of the install: the command each runs and the ServiceAccount it runs under. */
    private enum Role {
        WEBHOOK("serve", "probe-rewriter-webhook"),
        OPERATOR("operate", "probe-rewriter-operator");

        final String command;
        final String serviceAccount;

        Role(String command, String serviceAccount) {
            this.command = command;
            this.serviceAccount = serviceAccount;
        }

        /** The bearer token the process presents: how the API server tells the accounts apart. */
        String token() {
            return serviceAccount + "-token";
        }
    }

    /** One replica of a Deployment: its own process, ports and log. */
    private static final class Replica {
        final String name;
        final Role role;
        final int httpsPort;
        final int managementPort;
        final Process process;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        Replica(String name, Role role, int apiPort) throws IOException {
            this.name = name;
            this.role = role;
            this.httpsPort = FreePorts.take();
            this.managementPort = FreePorts.take();
            ProcessBuilder builder = new ProcessBuilder(JAVA, launchArgs(), role.command);
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "http://127.0.0.1:" + apiPort);
            env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", role.token());
            // Set for the operator too: `operate` must not listen there whatever the settings say.
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

    /**
     * The API server's authorization in front of the mock's CRUD: a request with one of the processes' tokens is
     * answered 403 unless the RBAC k8s/base binds to that account allows it. Every request is recorded by account.
     */
    private static final class AuthorizingDispatcher extends KubernetesMixedDispatcher {
        final Map<String, RbacRules> accounts = new HashMap<>();
        final Map<String, Role> roles = new HashMap<>();
        final List<String> refused = Collections.synchronizedList(new ArrayList<>());
        final Map<Role, List<ApiRequest>> requests = new ConcurrentHashMap<>();

        AuthorizingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, List<KubeYaml.Doc> install) {
            super(responses);
            for (Role role : Role.values()) {
                accounts.put("Bearer " + role.token(), RbacRules.forServiceAccount(install, NAMESPACE,
                        role.serviceAccount));
                roles.put("Bearer " + role.token(), role);
                requests.put(role, Collections.synchronizedList(new ArrayList<>()));
            }
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String authorization = request.getHeader("Authorization");
            RbacRules rules = authorization == null ? null : accounts.get(authorization);
            if (rules != null) {
                ApiRequest asked = ApiRequest.parse(request.getMethod(), request.getPath());
                requests.get(roles.get(authorization)).add(asked);
                Optional<String> refusal = rules.refusal(asked);
                if (refusal.isPresent()) {
                    refused.add(refusal.get());
                    return new MockResponse().setResponseCode(403).setBody(RbacRules.forbiddenStatus(refusal.get()));
                }
            }
            return super.dispatch(request);
        }

        /** What the account asked beyond reading. */
        List<ApiRequest> writes(Role role) {
            synchronized (requests.get(role)) {
                return requests.get(role).stream().filter(r -> !READ_VERBS.contains(r.verb())).toList();
            }
        }
    }

    private final List<Replica> replicas = new ArrayList<>();
    private KubernetesMockServer apiServer;

    @AfterEach
    void stop() throws Exception {
        for (Replica replica : replicas) {
            replica.process.destroy();
        }
        for (Replica replica : replicas) {
            replica.process.waitFor(30, TimeUnit.SECONDS);
        }
        if (apiServer != null) {
            apiServer.destroy();
        }
    }

    @Test
    void theInstallsProcessesComeUpWithoutCertManagerUnderTheirOwnRbacAndFollowARenewalAndAHandOver()
            throws Exception {
        int apiPort = FreePorts.take();
        Replica webhookA = new Replica("probe-rewriter-7d9f-aaaaa", Role.WEBHOOK, apiPort);
        Replica webhookB = new Replica("probe-rewriter-7d9f-bbbbb", Role.WEBHOOK, apiPort);
        Replica operatorA = new Replica("probe-rewriter-operator-5c8b-aaaaa", Role.OPERATOR, apiPort);
        Replica operatorB = new Replica("probe-rewriter-operator-5c8b-bbbbb", Role.OPERATOR, apiPort);
        List<Replica> webhooks = List.of(webhookA, webhookB);
        replicas.addAll(List.of(webhookA, webhookB, operatorA, operatorB));

        for (Replica operator : List.of(operatorA, operatorB)) {
            await("the operator waits for the API server",
                    () -> operator.logged("API server not reachable; starting the operator when it is"));
        }
        for (Replica webhook : webhooks) {
            await(webhook.name + " answers health checks",
                    () -> managementStatus(webhook.managementPort, "/q/health/live") == 200);
            assertEquals(503, managementStatus(webhook.managementPort, "/q/health/ready"),
                    "not ready without a certificate");
        }

        // The API server arrives, with what `kubectl apply -k k8s/overlays/default` creates, and its RBAC enforced.
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        AuthorizingDispatcher authorizing = new AuthorizingDispatcher(responses,
                RbacRules.fromKustomization(Path.of("k8s/base")));
        apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses, authorizing, false);
        apiServer.init(InetAddress.getByName("127.0.0.1"), apiPort);
        // java-operator-sdk asks whether it may use Leases; the mock server cannot work that out from RBAC itself.
        LeaseRights.grantedBy(apiServer);
        KubernetesClient client = apiServer.createClient();
        ShippedWebhookConfiguration.createIn(client);

        await("one operator replica holds the Lease", () -> holder(client) != null);
        Replica leader = holder(client).equals(operatorA.name) ? operatorA : operatorB;
        Replica follower = leader == operatorA ? operatorB : operatorA;
        await("the caBundle is written", () -> caBundle(client) != null && !caBundle(client).isEmpty());
        for (Replica webhook : webhooks) {
            await(webhook.name + " is ready", () -> managementStatus(webhook.managementPort, "/q/health/ready") == 200);
        }
        for (Replica operator : List.of(operatorA, operatorB)) {
            assertFalse(listening(operator.httpsPort), operator.name + ": `operate` opens no admission port");
            assertEquals(200, managementStatus(operator.managementPort, "/q/health/live"), operator.tail());
            // Ready without a serving certificate of its own: it has no HTTPS port to serve one on.
            await(operator.name + " is ready", () -> managementStatus(operator.managementPort, "/q/health/ready") == 200);
        }

        // Both webhook replicas serve the same certificate, trusted through the caBundle, and follow its renewal.
        // A renewal can fall between two calls (the certificates here live seconds): the replicas agree once both
        // have reloaded, which each does within its reload interval.
        await("both webhook replicas serve the same certificate",
                () -> {
                    String a = servedSerial(client, webhookA);
                    return !a.isEmpty() && a.equals(servedSerial(client, webhookB));
                });
        String first = servedSerial(client, webhookA);
        List<String> failures = new ArrayList<>();
        Eventually.until("a renewal to reach both webhook replicas", Duration.ofSeconds(90), () -> {
            boolean renewedEverywhere = true;
            for (Replica webhook : webhooks) {
                try {
                    ApiServerCall call = call(client, webhook);
                    if (call.status() != 200) {
                        failures.add(webhook.name + ": status " + call.status());
                    }
                    renewedEverywhere &= !serial(call).equals(first);
                } catch (Exception e) {
                    failures.add(webhook.name + ": " + e);
                    renewedEverywhere = false;
                }
            }
            return renewedEverywhere;
        });
        assertEquals(List.of(), failures);
        assertEquals(leader.name, holder(client), "the Lease stayed where it was");
        assertTrue(leader.logged("Created Secret probe-rewriter-system/probe-rewriter-tls"), leader.tail());
        assertFalse(follower.logged("Created Secret") || follower.logged("Updated Secret"),
                "only the Lease holder writes: " + follower.tail());
        assertEquals(List.of(), authorizing.writes(Role.WEBHOOK), "the webhook replicas write nothing");
        assertFalse(authorizing.writes(Role.OPERATOR).isEmpty(), "the operator's writes were seen");
        assertEquals(List.of(), authorizing.refused, "nothing a process asked was refused by its RBAC");
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
        await("the other operator replica holds the Lease", () -> follower.name.equals(holder(client)));
        Duration handOver = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.printf("Lease handed over %d ms after the leader stopped%n", handOver.toMillis());
        assertTrue(handOver.compareTo(Duration.ofSeconds(15)) < 0, "the Lease was given up, not left to expire: "
                + handOver + "\nthe stopped leader's last lines:\n" + leader.tail() + "\n" + follower.tail());
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("probe-rewriter").edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(""));
            return c;
        });
        await("the new leader restores the caBundle", () -> !caBundle(client).isEmpty());
        // The certificates here live 12 s: the serving certificate may have reached its renewal while the Lease changed
        // hands, and the new leader renews it (writing the Secret after the caBundle).
        for (Replica webhook : webhooks) {
            await(webhook.name + " serves the new leader's certificate", () -> {
                try {
                    return call(client, webhook).status() == 200;
                } catch (Exception expiredOrNotYet) {
                    return false;
                }
            });
        }
        assertTrue(follower.process.isAlive(), follower.tail());
        assertEquals(List.of(), authorizing.writes(Role.WEBHOOK), "the webhook replicas write nothing");
        assertEquals(List.of(), authorizing.refused, "nothing a process asked was refused by its RBAC");
    }

    /** The image's argument file for this build, written by the first replica to start. */
    private static synchronized String launchArgs() throws IOException {
        if (launchArgs == null) {
            try {
                Path file = Files.createTempFile("probe-rewriter-launch", ".args");
                file.toFile().deleteOnExit();
                launchArgs = ImageClassArchive.writeLaunchArgs(APP.toString(), file);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return launchArgs;
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

    /** The serial of the certificate a replica serves, or "" when the call fails (the wait then goes on). */
    private static String servedSerial(KubernetesClient client, Replica replica) {
        try {
            return serial(call(client, replica));
        } catch (Exception e) {
            return "";
        }
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
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whether something accepts connections on the port. */
    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * A port free now and not handed out before in this run. Nine are picked before their processes bind them (the
     * API server's long after), each by the kernel at random: in about one run in 400 two were the same, and one
     * process could not bind its port.
     */

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        try {
            Eventually.until(what, Duration.ofSeconds(60), () -> {
                for (Replica replica : replicas) {
                    assertTrue(replica.process.isAlive(), replica.role.command + " exited while waiting until " + what
                            + ": " + replica.tail());
                }
                return condition.getAsBoolean();
            });
        } catch (AssertionError failed) {
            // What each process said is what tells why.
            throw new AssertionError(failed.getMessage() + ": "
                    + replicas.stream().map(Replica::tail).reduce("", (x, y) -> x + "\n" + y), failed);
        }
    }
}
