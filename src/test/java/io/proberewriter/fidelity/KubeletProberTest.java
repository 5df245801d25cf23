package io.proberewriter.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.proberewriter.fidelity.TestHttpServer.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The emulator itself: the request the kubelet sends, how it judges exec and tcpSocket probes, and its lifecycle
 * hook handler (which runs without the prober, so it is tested where Go is missing too).
 */
class KubeletProberTest {

    private final KubeletProber kubelet = new KubeletProber();

    private static Probe http(int port, String path, int timeout, HTTPHeader... headers) {
        return new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(port)).withPath(path)
                .withHttpHeaders(List.of(headers)).endHttpGet().withTimeoutSeconds(timeout).build();
    }

    @Test
    void sendsTheKubeletsDefaultHeaders() throws IOException {
        try (TestHttpServer server = TestHttpServer.start(false, (r, s) -> Response.status(200))) {
            KubeletProber.Verdict verdict = kubelet.probe(http(server.port(), "health", 5), "127.0.0.1");
            assertTrue(verdict.success(), verdict.detail());
            TestHttpServer.Request request = server.requests().get(0);
            assertEquals("/health", request.target());
            assertEquals(List.of(
                    Map.entry("Host", "127.0.0.1:" + server.port()),
                    Map.entry("User-Agent", "kube-probe/1.35"),
                    Map.entry("Accept", "*/*"),
                    Map.entry("Connection", "close")), request.headers());
        }
    }

    @Test
    void probeHeadersAreCanonicalAndHostBecomesTheRequestsHost() throws IOException {
        try (TestHttpServer server = TestHttpServer.start(false, (r, s) -> Response.status(200))) {
            kubelet.probe(http(server.port(), "/", 5, new HTTPHeader("host", "vhost.local"),
                    new HTTPHeader("x-probe", "a"), new HTTPHeader("X-PROBE", "b"),
                    new HTTPHeader("Accept", "")), "127.0.0.1");
            TestHttpServer.Request request = server.requests().get(0);
            assertEquals(List.of("vhost.local"), request.all("Host"));
            assertEquals(List.of("a", "b"), request.all("X-Probe"));
            assertTrue(request.headers().stream().anyMatch(h -> h.getKey().equals("X-Probe")), "canonical name");
            assertEquals(List.of(), request.all("Accept"), "an empty Accept removes the header");
        }
    }

    @Test
    void customHostSurvivesARelativeRedirect() throws IOException {
        try (TestHttpServer server = TestHttpServer.start(false,
                (r, s) -> r.path().equals("/a") ? Response.redirect(302, "/b") : Response.status(200))) {
            assertTrue(kubelet.probe(http(server.port(), "/a", 5, new HTTPHeader("Host", "vhost.local")),
                    "127.0.0.1").success());
            assertEquals(List.of("vhost.local", "vhost.local"),
                    server.requests().stream().map(r -> r.header("Host")).toList());
        }
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowedAndCountsAsSuccess() throws IOException {
        try (TestHttpServer server = TestHttpServer.start(false,
                (r, s) -> Response.redirect(301, "http://localhost:" + s.port() + "/elsewhere"))) {
            // localhost is another host name than the pod IP, as for the kubelet.
            KubeletProber.Verdict verdict = kubelet.probe(http(server.port(), "/", 5), "127.0.0.1");
            assertTrue(verdict.success(), verdict.detail());
            assertTrue(verdict.detail().contains("301"), verdict.detail());
            assertEquals(1, server.requests().size());
        }
    }

    /** ExpandContainerCommandOnlyStatic's rules, case by case. */
    @Test
    void execProbeCommandIsExpandedWithTheContainersEnvAndAHookIsNot() {
        List<EnvVar> env = List.of(new EnvVar("A", "x", null), new EnvVar("FROM_FIELD", null,
                new EnvVarSourceBuilder().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().build()));
        assertEquals(List.of("x", "<>", "$(B)", "$", "$(A)", "a$b", "$(A", "x)", "$", "$(A)$"),
                KubeletCommandExpansion.expand(List.of("$(A)", "<$(FROM_FIELD)>", "$(B)", "$$", "$$(A)", "a$b",
                        "$(A", "$(A))", "$", "$$(A)$"), env));
        KubeletProber withEnv = kubelet.withContainerEnv(env);
        assertTrue(withEnv.probe(exec(1, "test", "$(A)", "=", "x"), "127.0.0.1").success());
        assertTrue(withEnv.probe(exec(1, "test", "$$(A)", "!=", "$(A)"), "127.0.0.1").success());
        LifecycleHandler hook = new LifecycleHandlerBuilder().withNewExec()
                .withCommand("test", "$(A)", "=", "$(A)").endExec().build();
        assertTrue(withEnv.hook(hook, "127.0.0.1", Duration.ofSeconds(5)).success(), "a hook is run as written");
    }

    @Test
    void execSucceedsOnExitZeroAndIsKilledAtTheTimeout() {
        assertTrue(kubelet.probe(exec(1, "true"), "127.0.0.1").success());
        KubeletProber.Verdict failed = kubelet.probe(exec(1, "sh", "-c", "echo broken; exit 3"), "127.0.0.1");
        assertFalse(failed.success());
        assertTrue(failed.detail().contains("exit code 3") && failed.detail().contains("broken"), failed.detail());
        long start = System.nanoTime();
        KubeletProber.Verdict slow = kubelet.probe(exec(1, "sleep", "30"), "127.0.0.1");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(slow.success());
        assertTrue(slow.detail().contains("timed out"), slow.detail());
        assertTrue(millis < 15_000, "killed at the timeout, took " + millis + " ms");
        assertFalse(kubelet.probe(exec(1, "/no/such/program"), "127.0.0.1").success());
    }

    @Test
    void tcpSocketSucceedsWhenTheConnectionOpens() throws IOException {
        int port;
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            port = listening.getLocalPort();
            assertTrue(kubelet.probe(tcp(port), "127.0.0.1").success());
        }
        assertFalse(kubelet.probe(tcp(port), "127.0.0.1").success());
    }

    private static Probe exec(int timeout, String... argv) {
        return new ProbeBuilder().withNewExec().withCommand(argv).endExec().withTimeoutSeconds(timeout).build();
    }

    private static Probe tcp(int port) {
        return new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket()
                .withTimeoutSeconds(5).build();
    }

    private static LifecycleHandler httpHook(int port, String scheme, HTTPHeader... headers) {
        return new LifecycleHandlerBuilder().withNewHttpGet().withScheme(scheme).withPort(new IntOrString(port))
                .withPath("/shutdown").withHttpHeaders(List.of(headers)).endHttpGet().build();
    }

    @Test
    void aHookIsDeliveredWhateverTheStatusWithTheLifecycleClientsHeaders() throws IOException {
        try (TestHttpServer server = TestHttpServer.start(false, (r, s) -> Response.status(500))) {
            KubeletProber.Verdict verdict = kubelet.hook(httpHook(server.port(), "HTTP"), "127.0.0.1",
                    Duration.ofSeconds(5));
            assertTrue(verdict.success(), "a hook's status decides nothing: " + verdict.detail());
            assertEquals(List.of(
                    Map.entry("Host", "127.0.0.1:" + server.port()),
                    Map.entry("User-Agent", "kube-lifecycle/1.35"),
                    Map.entry("Accept", "*/*"),
                    Map.entry("Accept-Encoding", "gzip")), server.requests().get(0).headers(),
                    "keep-alive (no Connection: close) and Go's gzip, as the kubelet's bare hook transport");
        }
    }

    @Test
    void aHookFailsOnlyWithoutAResponse() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertFalse(kubelet.hook(httpHook(closed, "HTTP"), "127.0.0.1", Duration.ofSeconds(5)).success());
    }

    @Test
    void anHttpsHookAnsweredInPlainHttpIsRetriedOverHttpWithoutAuthorization() throws IOException {
        try (TestHttpServer plain = TestHttpServer.start(false, (r, s) -> Response.status(200))) {
            KubeletProber.Verdict verdict = kubelet.hook(httpHook(plain.port(), "HTTPS",
                    new HTTPHeader("Authorization", "Bearer t0ken"), new HTTPHeader("X-Kept", "yes")), "127.0.0.1",
                    Duration.ofSeconds(5));
            assertTrue(verdict.success(), verdict.detail());
            assertEquals(1, plain.requests().size(), "the TLS hello is no request; the retry is");
            assertEquals(List.of(), plain.requests().get(0).all("Authorization"));
            assertEquals(List.of("yes"), plain.requests().get(0).all("X-Kept"));
        }
    }
}
