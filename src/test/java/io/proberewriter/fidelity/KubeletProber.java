package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.proberewriter.engine.GlobalSettings;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Runs a Kubernetes {@link Probe} the way the kubelet does (pkg/probe/http, pkg/probe/exec, pkg/probe/tcp), so
 * that a probe and its rewritten form can be judged side by side. Only numeric ports: there is no container to
 * resolve a named port against.
 *
 * <p>{@code httpGet}: one request per connection ({@code Connection: close}, the kubelet disables keep-alive),
 * HTTP/1.1 over a plain socket or a TLS socket that trusts any certificate. Headers as the kubelet builds them:
 * names canonicalised, the first {@code Host} becomes the request's host, only the first {@code User-Agent} is
 * sent and an empty one sends none, {@code User-Agent: kube-probe/<major>.<minor>} and {@code Accept: *}{@code /*}
 * added unless set, an empty first {@code Accept} removes every Accept. The whole exchange, redirects included,
 * is bounded by {@code timeoutSeconds}. Redirects (301, 302, 303, 307, 308 with a Location) are followed only to
 * the same host name as the first request; a redirect elsewhere is not followed and its 3xx is the result
 * (a warning, which counts as success). Go's limit applies: the 10th redirect is refused
 * ({@code stopped after 10 redirects}, the first request counts), so at most 9 are followed. At most 10 KiB of
 * the final body is read. Success: a final status in 200–399. Not emulated: the {@code Referer} Go adds to a
 * followed redirect, and HTTP/2, which Go may negotiate over TLS: the emulator speaks HTTP/1.1 only.
 *
 * <p>{@code exec}: the argument vector, its {@code $(NAME)} references first expanded with the container's env
 * ({@link KubeletCommandExpansion}; see {@link #withContainerEnv}), as a process, no shell; success on exit code 0;
 * killed and failed when {@code timeoutSeconds} has passed. {@code tcpSocket}: success when a connection opens in
 * time. {@code grpc}: the standard health check, healthy only on SERVING (see {@link #grpc}).
 *
 * <p>Lifecycle hooks ({@link #hook}): an {@code httpGet} handler is the kubelet's lifecycle handler runner, not a
 * probe; see {@link #httpHook} for what differs. An {@code exec} handler runs as an exec probe does, but with its
 * command as written (no expansion), bounded only by the time the kubelet waits for it.
 */
public final class KubeletProber {

    /**
     * The verdict, and what the kubelet would put in the probe's event (or the body on success). {@code errored}: every
     * attempt ended in a probe error, a result the kubelet throws away (neither a success nor a failure counts); the
     * probe keeps the state it had, which for a probe that has not passed yet (the fidelity matrix's readiness probe)
     * is not ready, so {@code success} is false.
     */
    public record Verdict(boolean success, String detail, boolean errored) {
        static Verdict ok(String detail) {
            return new Verdict(true, detail, false);
        }

        static Verdict fail(String detail) {
            return new Verdict(false, detail, false);
        }

        static Verdict errored(String detail) {
            return new Verdict(false, detail, true);
        }
    }

    /** The kubelet's maxProbeRetries: a probe that ends in an error (not a failure) is run this many times in all. */
    public static final int MAX_PROBE_ATTEMPTS = 3;

    /** The kubelet reads at most this much of a response body (and of an exec probe's output). */
    public static final int MAX_BODY_BYTES = 10 * 1024;
    /** Go's redirect limit: the check runs with the requests made so far, and refuses at this many. */
    public static final int MAX_REQUESTS_IN_CHAIN = 10;
    private static final int DEFAULT_TIMEOUT_SECONDS = 1;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final String userAgent;
    /** What the same kubelet sends with an httpGet hook: its version under the purpose "lifecycle". */
    private final String hookUserAgent;
    /** The env of the container the probes belong to, which an exec probe's command is expanded with. */
    private final List<EnvVar> containerEnv;

    /** A prober that sends the engine's default User-Agent, {@link GlobalSettings#DEFAULT_USER_AGENT}. */
    public KubeletProber() {
        this(GlobalSettings.DEFAULT_USER_AGENT);
    }

    /** @param userAgent {@code kube-probe/<major>.<minor>}; hooks then send {@code kube-lifecycle/<major>.<minor>} */
    public KubeletProber(String userAgent) {
        this(userAgent, List.of());
    }

    private KubeletProber(String userAgent, List<EnvVar> containerEnv) {
        this.userAgent = userAgent;
        this.hookUserAgent = "kube-lifecycle/" + userAgent.substring(userAgent.indexOf('/') + 1);
        this.containerEnv = List.copyOf(containerEnv);
    }

    /** The same prober for probes of a container with this env (none by default). */
    public KubeletProber withContainerEnv(List<EnvVar> env) {
        return new KubeletProber(userAgent, env);
    }

    /**
     * @param podIp the address that stands for the pod IP, such as {@code 127.0.0.1}; used unless the probe
     *              names its own host
     */
    public Verdict probe(Probe probe, String podIp) {
        long timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds(probe));
        if (probe.getHttpGet() != null) {
            return httpGet(probe.getHttpGet(), podIp, timeoutMillis);
        }
        if (probe.getExec() != null) {
            List<String> command = probe.getExec().getCommand();
            return exec(command == null ? null : KubeletCommandExpansion.expand(command, containerEnv),
                    timeoutMillis);
        }
        if (probe.getTcpSocket() != null) {
            return tcpSocket(probe.getTcpSocket(), podIp, timeoutMillis);
        }
        if (probe.getGrpc() != null) {
            return grpc(probe.getGrpc(), podIp, timeoutMillis);
        }
        throw new IllegalArgumentException("probe has no httpGet, exec, tcpSocket or grpc handler: " + probe);
    }

    /**
     * Runs a lifecycle hook (postStart, preStop) as the kubelet's handler runner does.
     *
     * @param waited how long the kubelet waits for the hook: the handler itself has no timeout, neither for
     *               {@code httpGet} nor for {@code exec}; a preStop hook is cut short by the pod's grace period.
     *               A hook still running then has not completed, which is a failure here.
     */
    public Verdict hook(LifecycleHandler handler, String podIp, Duration waited) {
        long waitedMillis = waited.toMillis();
        if (handler.getHttpGet() != null) {
            return httpHook(handler.getHttpGet(), podIp, waitedMillis);
        }
        if (handler.getExec() != null) {
            // Unlike a probe's, a hook's command is run as written: the kubelet expands nothing in it.
            return exec(handler.getExec().getCommand(), waitedMillis);
        }
        throw new IllegalArgumentException("hook has no httpGet or exec handler: " + handler);
    }

    static int timeoutSeconds(Probe probe) {
        Integer t = probe.getTimeoutSeconds();
        return t == null || t < DEFAULT_TIMEOUT_SECONDS ? DEFAULT_TIMEOUT_SECONDS : t;
    }

    // ---------------------------------------------------------------- exec

    private Verdict exec(List<String> argv, long timeoutMillis) {
        if (argv == null || argv.isEmpty()) {
            return Verdict.fail("exec probe without a command");
        }
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            // The kubelet reports a command that cannot start as a failed probe.
            return Verdict.fail("cannot run " + argv.get(0) + ": " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            OutputCollector output = new OutputCollector(process.getInputStream());
            output.start();
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                output.join(1000);
                return Verdict.fail("command timed out after " + timeoutMillis + "ms: " + output.text());
            }
            output.join(1000);
            int exit = process.exitValue();
            return exit == 0 ? Verdict.ok(output.text())
                    : Verdict.fail("command failed with exit code " + exit + ": " + output.text());
        } catch (InterruptedException | IOException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Verdict.fail("exec probe interrupted: " + e);
        }
    }

    /** Drains the process's output (so it never blocks on a full pipe) and keeps the first 10 KiB. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        OutputCollector(InputStream in) {
            this.in = in;
            setDaemon(true);
            setName("kubelet-prober-exec-output");
        }

        @Override
        public void run() {
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (kept) {
                        kept.write(buffer, 0, Math.min(n, Math.max(0, MAX_BODY_BYTES - kept.size())));
                    }
                }
            } catch (IOException ignored) {
                // The process was killed; what was read is kept.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8).strip();
            }
        }
    }

    // ---------------------------------------------------------------- tcpSocket

    private Verdict tcpSocket(TCPSocketAction tcp, String podIp, long timeoutMillis) {
        String host = tcp.getHost() == null || tcp.getHost().isEmpty() ? podIp : tcp.getHost();
        int port = numericPort(tcp.getPort());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeoutMillis);
            return Verdict.ok("");
        } catch (IOException e) {
            return Verdict.fail("dial tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- grpc

    /**
     * The kubelet's gRPC probe (pkg/probe/grpc), with grpc-java as the client: plaintext, the kubelet's User-Agent,
     * {@code grpc.health.v1.Health/Check} with the probe's service, the whole call within the timeout. Healthy
     * only on SERVING; an error status, a refused or dropped connection and the deadline all fail, with the
     * kubelet's messages. Unlike grpc-go's blocking dial, which retries a refused connection until the deadline,
     * grpc-java fails a refused connection at once: the same verdict, sooner.
     */
    private Verdict grpc(GRPCAction grpc, String podIp, long timeoutMillis) {
        String service = grpc.getService() == null ? "" : grpc.getService();
        ManagedChannel channel = NettyChannelBuilder.forAddress(podIp, grpc.getPort()).usePlaintext()
                .userAgent(userAgent).build();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            if (response.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                return Verdict.fail("service unhealthy (responded with \"" + response.getStatus() + "\")");
            }
            return Verdict.ok("service healthy");
        } catch (StatusRuntimeException e) {
            return switch (e.getStatus().getCode()) {
                case UNIMPLEMENTED -> Verdict.fail("error: this server does not implement the grpc health protocol "
                        + "(grpc.health.v1.Health): " + e.getStatus().getDescription());
                case DEADLINE_EXCEEDED -> Verdict.fail("timeout: health rpc did not complete within "
                        + timeoutMillis + "ms");
                default -> Verdict.fail("error: health rpc probe failed: " + e.getStatus());
            };
        } finally {
            channel.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- httpGet

    /**
     * The kubelet's runProbeWithRetries around its HTTP prober: an attempt that ends in a probe error (the body broke
     * off before 10 KiB) is run again, each attempt with a timeout of its own; when all of them err, the result is
     * thrown away.
     */
    private Verdict httpGet(HTTPGetAction get, String podIp, long timeoutMillis) {
        Verdict attempt = null;
        for (int i = 0; i < MAX_PROBE_ATTEMPTS; i++) {
            attempt = httpGetOnce(get, podIp, timeoutMillis);
            if (!attempt.errored()) {
                return attempt;
            }
        }
        return Verdict.errored("probe errored " + MAX_PROBE_ATTEMPTS + " times, result discarded: " + attempt.detail());
    }

    private Verdict httpGetOnce(HTTPGetAction get, String podIp, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Map<String, List<String>> headers = requestHeaders(get.getHttpHeaders(), userAgent);
        URI url;
        try {
            url = url(get, podIp);
        } catch (URISyntaxException e) {
            return Verdict.fail("invalid URL: " + e.getMessage());
        }
        Exchanged outcome = follow(url, first(headers, "Host"), headers, deadline, false);
        if (outcome instanceof Answered answered) {
            return judge(answered.url(), answered.response());
        }
        return Verdict.fail(((NoResponse) outcome).error());
    }

    /**
     * The kubelet's httpGet lifecycle handler: the request is built as a probe's (same URL, same header rules) with
     * {@code User-Agent: kube-lifecycle/<major>.<minor>}, and sent by the kubelet's hook client, a plain Go client
     * with only TLS settings: keep-alive on (no {@code Connection: close}), {@code Accept-Encoding: gzip} added by
     * Go's transport unless the hook sets Accept-Encoding or Range, HTTP/1.1, no timeout, the probe's redirect rule.
     * The hook succeeds on any response, whatever its status; only a chain that ends without a response fails it.
     * An HTTPS request answered in plain HTTP (Go's "server gave HTTP response to HTTPS client") is sent again
     * over HTTP without its Authorization header; if that gets a response the hook succeeds, else the HTTPS error
     * stands. Of the body at most 10 KiB is read, none when the response announces more, and a failure while
     * reading it changes nothing.
     */
    private Verdict httpHook(HTTPGetAction get, String podIp, long waitedMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitedMillis);
        Map<String, List<String>> headers = requestHeaders(get.getHttpHeaders(), hookUserAgent);
        if (!headers.containsKey("Accept-Encoding") && !headers.containsKey("Range")) {
            headers.put("Accept-Encoding", new ArrayList<>(List.of("gzip")));
        }
        URI url;
        try {
            url = url(get, podIp);
        } catch (URISyntaxException e) {
            return Verdict.fail("invalid URL: " + e.getMessage());
        }
        Exchanged outcome = follow(url, first(headers, "Host"), headers, deadline, true);
        if (outcome instanceof Answered answered) {
            return Verdict.ok("HTTP " + answered.response().status() + " from " + answered.url());
        }
        NoResponse failure = (NoResponse) outcome;
        if (failure.httpResponseToHttps()) {
            Map<String, List<String>> withoutCredentials = new LinkedHashMap<>(headers);
            withoutCredentials.remove("Authorization");
            URI plain = URI.create("http" + url.toString().substring(url.getScheme().length()));
            Exchanged retried = follow(plain, first(headers, "Host"), withoutCredentials, deadline, true);
            if (retried instanceof Answered answered) {
                return Verdict.ok("HTTP " + answered.response().status() + " from " + answered.url()
                        + " (LifecycleHTTPFallback: the HTTPS request got an HTTP response, retried with HTTP)");
            }
        }
        if (failure.timedOut()) {
            return Verdict.fail("hook not completed within " + waitedMillis + "ms");
        }
        return Verdict.fail(failure.error());
    }

    private static URI url(HTTPGetAction get, String podIp) throws URISyntaxException {
        String scheme = get.getScheme() == null || get.getScheme().isEmpty()
                ? "http" : get.getScheme().toLowerCase(Locale.ROOT);
        String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
        return new URI(scheme + "://" + bracketed(host) + ":" + numericPort(get.getPort()) + pathAndQuery(get.getPath()));
    }

    /** How a request chain ended: with a response to judge, or without one. */
    private sealed interface Exchanged permits Answered, NoResponse {
    }

    private record Answered(URI url, Response response) implements Exchanged {
    }

    private record NoResponse(String error, boolean timedOut, boolean httpResponseToHttps) implements Exchanged {
        static NoResponse of(String error) {
            return new NoResponse(error, false, false);
        }
    }

    /** Go's error when a TLS hello is answered by something starting with "HTTP/". */
    private static final class HttpResponseToHttpsClient extends IOException {
        HttpResponseToHttpsClient() {
            super("http: server gave HTTP response to HTTPS client");
        }
    }

    /**
     * Sends the request and follows redirects as the kubelet's client does: only to the same host name (a redirect
     * elsewhere is not followed, its 3xx is the answer), and the 10th redirect refused.
     */
    private static Exchanged follow(URI url, String customHost, Map<String, List<String>> headers, long deadline,
                                    boolean hook) {
        String firstHostname = url.getHost();
        int requests = 0;
        while (true) {
            requests++;
            Response response;
            try {
                response = exchange(url, customHost, headers, deadline, hook);
            } catch (SocketTimeoutException e) {
                return new NoResponse("Get \"" + url + "\": context deadline exceeded (Client.Timeout exceeded)",
                        true, false);
            } catch (HttpResponseToHttpsClient e) {
                return new NoResponse("Get \"" + url + "\": " + e.getMessage(), false, true);
            } catch (IOException e) {
                return NoResponse.of("Get \"" + url + "\": " + e);
            }
            String location = response.header("Location");
            boolean redirect = switch (response.status) {
                case 301, 302, 303, 307, 308 -> location != null;
                default -> false;
            };
            if (!redirect) {
                return new Answered(url, response);
            }
            URI locationUri;
            URI next;
            try {
                locationUri = new URI(location);
                next = url.resolve(locationUri);
            } catch (URISyntaxException | IllegalArgumentException e) {
                return NoResponse.of("Get \"" + url + "\": failed to parse Location header " + location);
            }
            if (next.getHost() == null || !next.getHost().equalsIgnoreCase(firstHostname)) {
                // The kubelet's redirect check answers ErrUseLastResponse: the 3xx itself is the result.
                return new Answered(url, response);
            }
            if (requests >= MAX_REQUESTS_IN_CHAIN) {
                return NoResponse.of("Get \"" + next + "\": stopped after 10 redirects");
            }
            if (!"http".equalsIgnoreCase(next.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                return NoResponse.of("Get \"" + next + "\": unsupported protocol scheme \"" + next.getScheme() + "\"");
            }
            // Go keeps a custom Host only when the Location is relative (golang/go#22233).
            if (customHost != null && locationUri.isAbsolute()) {
                customHost = null;
            }
            url = next;
        }
    }

    private static Verdict judge(URI url, Response response) {
        if (response.bodyError != null) {
            // DoHTTPProbe returns a body read error (other than the 10 KiB limit) as an error, not a failure.
            return Verdict.errored("reading the body of " + url + ": " + response.bodyError);
        }
        if (response.status >= 200 && response.status < 400) {
            return Verdict.ok(response.status >= 300
                    ? "Probe terminated redirects, status " + response.status + " (warning)"
                    : response.body);
        }
        return Verdict.fail("HTTP probe failed with statuscode: " + response.status);
    }

    /** The header set the kubelet builds from {@code httpHeaders}: canonical names, in a Go http.Header. */
    private static Map<String, List<String>> requestHeaders(List<HTTPHeader> probeHeaders, String userAgent) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (probeHeaders != null) {
            for (HTTPHeader h : probeHeaders) {
                headers.computeIfAbsent(canonical(h.getName()), k -> new ArrayList<>())
                        .add(h.getValue() == null ? "" : h.getValue());
            }
        }
        if (!headers.containsKey("User-Agent")) {
            headers.put("User-Agent", new ArrayList<>(List.of(userAgent)));
        }
        if (!headers.containsKey("Accept")) {
            headers.put("Accept", new ArrayList<>(List.of("*/*")));
        } else if (first(headers, "Accept").isEmpty()) {
            headers.remove("Accept");
        }
        return headers;
    }

    private record Response(int status, Map<String, List<String>> headers, String body, String bodyError) {
        String header(String name) {
            return first(headers, canonical(name));
        }
    }

    /**
     * One request on a connection of its own. {@code hook}: the lifecycle client's manners (no
     * {@code Connection: close}; the body read as {@link #readResponse} says).
     */
    private static Response exchange(URI url, String customHost, Map<String, List<String>> headers, long deadline,
                                     boolean hook) throws IOException {
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
        String hostname = url.getHost().startsWith("[")
                ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        try (FirstBytesSocket tcp = new FirstBytesSocket()) {
            tcp.connect(new InetSocketAddress(hostname, port), remainingMillis(deadline));
            Socket socket = https ? trustAll().getSocketFactory().createSocket(tcp, hostname, port, true) : tcp;
            socket.setSoTimeout(remainingMillis(deadline));
            if (socket instanceof SSLSocket tls) {
                try {
                    tls.startHandshake();
                } catch (SSLException e) {
                    // Go looks at the first record header: "HTTP/" there means a plain HTTP server answered.
                    if (tcp.first().startsWith("HTTP/")) {
                        throw new HttpResponseToHttpsClient();
                    }
                    throw e;
                }
            }
            StringBuilder request = new StringBuilder();
            String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            if (url.getRawQuery() != null) {
                target += "?" + url.getRawQuery();
            }
            request.append("GET ").append(target).append(" HTTP/1.1\r\n");
            String hostValue = customHost != null && !customHost.isEmpty() ? customHost : url.getRawAuthority();
            request.append("Host: ").append(hostValue).append("\r\n");
            String agent = first(headers, "User-Agent");
            if (agent != null && !agent.isEmpty()) {
                request.append("User-Agent: ").append(agent).append("\r\n");
            }
            headers.entrySet().stream()
                    .filter(e -> !e.getKey().equals("Host") && !e.getKey().equals("User-Agent"))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> e.getValue().forEach(v ->
                            request.append(e.getKey()).append(": ").append(v).append("\r\n")));
            if (!hook) {
                request.append("Connection: close\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse(socket, deadline, hook);
        }
    }

    /** A TCP socket that keeps the first five bytes it receives, to tell what answered a TLS hello. */
    private static final class FirstBytesSocket extends Socket {
        private final ByteArrayOutputStream first = new ByteArrayOutputStream();

        @Override
        public InputStream getInputStream() throws IOException {
            return new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        keep(new byte[] {(byte) b}, 0, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    keep(buffer, offset, n);
                    return n;
                }
            };
        }

        private synchronized void keep(byte[] buffer, int offset, int n) {
            if (n > 0) {
                first.write(buffer, offset, Math.min(n, Math.max(0, 5 - first.size())));
            }
        }

        synchronized String first() {
            return first.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Reads the status, the headers and what the kubelet reads of the body: for a probe at most 10 KiB; for a hook
     * the same, but nothing when the response announces more than 10 KiB.
     */
    private static Response readResponse(Socket socket, long deadline, boolean hook) throws IOException {
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in, socket, deadline);
        if (statusLine == null) {
            throw new IOException("EOF before the status line");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("malformed HTTP response \"" + statusLine + "\"");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed HTTP status code \"" + parts[1] + "\"");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        for (String line; (line = readLine(in, socket, deadline)) != null && !line.isEmpty(); ) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("server response headers exceeded " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(canonical(line.substring(0, colon).trim()), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        // Whatever the framing (length, chunks, close), the kubelet stops at 10 KiB; a failure before that
        // (a timeout, a reset) fails the probe. Chunk markers are kept in the body: only its size matters here.
        String lengthHeader = first(headers, "Content-Length");
        long wanted = MAX_BODY_BYTES;
        boolean lengthAnnounced = false;
        if (lengthHeader != null && first(headers, "Transfer-Encoding") == null) {
            try {
                long announced = Long.parseLong(lengthHeader);
                wanted = hook && announced > MAX_BODY_BYTES ? 0 : Math.min(MAX_BODY_BYTES, announced);
                lengthAnnounced = true;
            } catch (NumberFormatException ignored) {
                // Unreadable length: read up to the limit.
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String bodyError = null;
        try {
            byte[] buffer = new byte[4096];
            while (body.size() < wanted) {
                socket.setSoTimeout(remainingMillis(deadline));
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, wanted - body.size()));
                if (n < 0) {
                    // The end of a body without a length is the connection's end; with one, Go's reader fails.
                    if (lengthAnnounced) {
                        bodyError = "unexpected EOF";
                    }
                    break;
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException e) {
            bodyError = e.toString();
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), bodyError);
    }

    private static String readLine(InputStream in, Socket socket, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (line.size() > MAX_HEADER_BYTES) {
                throw new IOException("header line too long");
            }
            line.write(b);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("probe timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    // ---------------------------------------------------------------- helpers

    private static String first(Map<String, List<String>> headers, String canonicalName) {
        List<String> values = headers.get(canonicalName);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Go's textproto.CanonicalMIMEHeaderKey: {@code x-probe-token} → {@code X-Probe-Token}. */
    static String canonical(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    /** The kubelet's path handling: a leading slash added when missing; the query kept as written. */
    private static String pathAndQuery(String path) {
        String p = path == null ? "" : path;
        int fragment = p.indexOf('#');
        if (fragment >= 0) {
            p = p.substring(0, fragment);
        }
        return p.startsWith("/") ? p : "/" + p;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static int numericPort(IntOrString port) {
        if (port == null || port.getIntVal() == null) {
            throw new IllegalArgumentException("KubeletProber needs a numeric port, got " + port);
        }
        return port.getIntVal();
    }

    /** The kubelet's TLS client: InsecureSkipVerify. */
    private static SSLContext trustAll() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot build a trust-all TLS context", e);
        }
    }
}
