package io.proberewriter.webhook;

import io.proberewriter.loopback.FreePorts;
import io.proberewriter.polling.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar's {@code serve} as a process of its own, as a replica runs it: the test certificates, free ports
 * on the loopback interface, no cluster; started and waited for until ready. Its output is kept for the failure
 * messages; {@link #close()} kills what is still running.
 */
final class PackagedReplica implements AutoCloseable {

    static final String JAR = "target/quarkus-app/quarkus-run.jar";
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private final Process process;
    private final int httpsPort;
    private final int managementPort;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private PackagedReplica(Process process, int httpsPort, int managementPort) {
        this.process = process;
        this.httpsPort = httpsPort;
        this.managementPort = managementPort;
    }

    /** {@code java} and its options, then {@code -jar JAR serve}; {@code env} on top of the replica's own. */
    static PackagedReplica start(List<String> java, Map<String, String> env) throws Exception {
        return start(java, List.of("-jar", JAR), env);
    }

    /**
     * {@code java} and its options, then {@code launch} (what runs the fast-jar: the image's argument file, say) and
     * {@code serve}.
     */
    static PackagedReplica start(List<String> java, List<String> launch, Map<String, String> env) throws Exception {
        return start(java, launch, List.of("serve"), env);
    }

    /** The same with the command line {@code arguments} instead of {@code serve}. */
    static PackagedReplica start(List<String> java, List<String> launch, List<String> arguments,
                                 Map<String, String> env) throws Exception {
        Map<String, String> tls = new ServingCertificates().start();
        int httpsPort = FreePorts.take();
        int managementPort = FreePorts.take();
        List<String> command = new ArrayList<>(java);
        command.addAll(launch);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
        environment.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        environment.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        environment.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        environment.put("PROBE_REWRITER_TLS_CERT_FILE", tls.get("probe-rewriter.tls.cert-file"));
        environment.put("PROBE_REWRITER_TLS_KEY_FILE", tls.get("probe-rewriter.tls.key-file"));
        environment.put("PROBE_REWRITER_NAMESPACES_WATCH", "false");
        environment.putAll(env);
        PackagedReplica replica = new PackagedReplica(builder.start(), httpsPort, managementPort);
        Thread reader = new Thread(replica::read);
        reader.setDaemon(true);
        reader.start();
        try {
            Eventually.until("the replica is ready", Duration.ofSeconds(60), () -> {
                if (!replica.process.isAlive()) {
                    return true; // no point waiting: said below, with what it wrote
                }
                return replica.readiness() == 200;
            });
        } catch (AssertionError | InterruptedException e) {
            replica.close();
            throw e;
        }
        if (!replica.process.isAlive()) {
            reader.join(5_000); // for the reader to take the last lines
            throw new ExitedBeforeReady(replica.process.exitValue(), replica.output(), replica.tail());
        }
        return replica;
    }

    Process process() {
        return process;
    }

    URI mutate() {
        return URI.create("https://localhost:" + httpsPort + "/mutate");
    }

    /** The readiness status code; 0 when the management port does not answer. */
    int readiness() {
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** All the replica wrote so far. */
    String output() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** The last lines the replica wrote. */
    String tail() {
        synchronized (log) {
            return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                log.add(line);
            }
        } catch (IOException e) {
            log.add("(log ended: " + e + ")");
        }
    }

    /**
     * The replica ended before its readiness said 200. The message has its last lines; {@link #output()} has all of
     * them, since a replica that shuts down gracefully logs its readiness polls for seconds after what it came to say.
     */
    static final class ExitedBeforeReady extends IllegalStateException {
        private final int exitCode;
        private final transient String output;

        ExitedBeforeReady(int exitCode, String output, String tail) {
            super("the replica exited with " + exitCode + " before it was ready:\n" + tail);
            this.exitCode = exitCode;
            this.output = output;
        }

        int exitCode() {
            return exitCode;
        }

        String output() {
            return output;
        }
    }

}
