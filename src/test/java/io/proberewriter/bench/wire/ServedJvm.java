package io.proberewriter.bench.wire;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A server under measurement in a JVM of its own, started with the shipped runtime's flags and a GC log: the
 * packaged webhook ({@code java … @launch.args serve}, from the flat class path of target/quarkus-app's jars as the
 * image's entry point runs it, or {@code java … -jar target/quarkus-app/quarkus-run.jar serve} without the image's
 * class archive; with the certificate from files and no cluster to watch), or the {@link FloorServer} from the same
 * jars.
 */
final class ServedJvm implements AutoCloseable {

    /** {@code -Dbench.app} measures another build of the fast-jar (a copy of an earlier target/quarkus-app). */
    static final String JAR = System.getProperty("bench.app", "target/quarkus-app") + "/quarkus-run.jar";

    final String name;
    final int port;
    final Path gcLog;
    final ProcessMemory memory;
    private final ProcessCpu cpu;
    private final Process process;
    private final Optional<CpuQuota> quota;
    private final long startNanos;
    private double readyUptimeSeconds;

    private ServedJvm(String name, int port, Path gcLog, ProcessBuilder builder, ShippedRuntime runtime)
            throws IOException {
        this.name = name;
        this.port = port;
        this.gcLog = gcLog;
        this.quota = runtime.cpuQuota() ? quota(name, runtime.cpuLimit()) : Optional.empty();
        quota.ifPresent(group -> builder.command().addAll(0, group.prefix()));
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        this.memory = new ProcessMemory(process.pid());
        this.cpu = new ProcessCpu(process.toHandle());
    }

    static ServedJvm webhook(ShippedRuntime runtime, Map<String, String> tls, Path folder, String name)
            throws IOException {
        int port = freePort();
        Path gcLog = folder.resolve(name + "-gc.log");
        List<String> command = new ArrayList<>(runtime.command(List.of(GcLog.logOption(gcLog))));
        command.addAll(runtime.launch(JAR));
        command.add("serve");
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(freePort()));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("PROBE_REWRITER_TLS_CERT_FILE", tls.get("probe-rewriter.tls.cert-file"));
        env.put("PROBE_REWRITER_TLS_KEY_FILE", tls.get("probe-rewriter.tls.key-file"));
        env.put("PROBE_REWRITER_NAMESPACES_WATCH", "false");
        env.put("PROBE_REWRITER_WEBHOOK_SHUTDOWN_DELAY", "0s");
        builder.redirectErrorStream(true).redirectOutput(folder.resolve(name + ".log").toFile());
        return new ServedJvm(name, port, gcLog, builder, runtime);
    }

    static ServedJvm floor(ShippedRuntime runtime, Map<String, String> tls, Path folder) throws IOException {
        int port = freePort();
        Path gcLog = folder.resolve("floor-gc.log");
        List<String> command = new ArrayList<>(runtime.plainCommand(List.of(GcLog.logOption(gcLog))));
        command.addAll(List.of("-cp", "target/quarkus-app/lib/main/*:target/test-classes",
                FloorServer.class.getName(), String.valueOf(port),
                tls.get("probe-rewriter.tls.cert-file"), tls.get("probe-rewriter.tls.key-file")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true).redirectOutput(folder.resolve("floor.log").toFile());
        return new ServedJvm("floor", port, gcLog, builder, runtime);
    }

    /** The Deployment's CPU limit as a cgroup of this server's own, when the machine lets the benchmark make one. */
    private static Optional<CpuQuota> quota(String name, double cores) {
        CpuQuota.Result made = CpuQuota.create("probe-rewriter-bench-" + name + "-" + ProcessHandle.current().pid(),
                cores);
        if (made.quota().isEmpty()) {
            System.out.println(name + ": the CPU limit is not enforced: " + made.whyNot());
        }
        return made.quota();
    }

    /** How often and how long the CPU limit held the server back since it started, if it was enforced. */
    String throttling() {
        return quota.map(CpuQuota::throttling).orElse("not enforced");
    }

    /**
     * Sends {@code body} on a new connection, once the port takes connections, until an answer passes
     * {@code check}: the time from starting the process to that answer.
     */
    Duration awaitAnswer(LoadDriver driver, Buffer body, Predicate<Buffer> check, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": see its log");
            }
            if (!accepts(port)) {
                Thread.sleep(5);
                continue;
            }
            try {
                Buffer answer = driver.postOnce(port, body).toCompletionStage().toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                if (check.test(answer)) {
                    long elapsed = System.nanoTime() - startNanos;
                    readyUptimeSeconds = elapsed / 1e9;
                    return Duration.ofNanos(elapsed);
                }
                throw new IllegalStateException(name + " answered without what was expected: "
                        + answer.toString().substring(0, Math.min(300, answer.length())));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Thread.sleep(5);
            }
        }
        throw new IllegalStateException(name + " did not answer within " + timeout);
    }

    /**
     * Whether the port takes a connection: a plain TCP connect, closed at once. Until it does, nothing more is tried.
     * The load driver's HTTPS client, tried every 5 ms against a closed port, costs the driver's JVM CPU on the cores
     * the starting process needs (0.1–0.35 s more to the first answer, docs/benchmarks.md); an API server runs
     * elsewhere and calls only a replica that is ready.
     */
    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** KiB allocated per request over the span a load measured (from the GC log: collections in that span). */
    double allocatedKiBPerRequest(LoadDriver.Result result) throws IOException {
        double from = (result.startNanos() - startNanos) / 1e9;
        double to = (result.endNanos() - startNanos) / 1e9;
        return GcLog.allocatedMiB(gcLog, from, to) * 1024 / result.requests();
    }

    /** Microseconds of the process's CPU per request over the span a load measured. */
    double cpuMicrosPerRequest(LoadDriver.Result result) {
        return cpu.between(result.startNanos(), result.endNanos()).toNanos() / 1e3 / result.requests();
    }

    /** The GC pauses since the server first answered (start-up's own are not what the API server waits on). */
    GcLog.Summary pausesSinceReady() throws IOException {
        return GcLog.after(gcLog, readyUptimeSeconds);
    }

    @Override
    public void close() throws InterruptedException {
        memory.close();
        cpu.close();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        quota.ifPresent(CpuQuota::close);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
