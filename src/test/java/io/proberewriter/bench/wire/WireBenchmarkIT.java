package io.proberewriter.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proberewriter.packaging.ImageClassArchive;
import io.proberewriter.webhook.ServingCertificates;
import io.vertx.core.buffer.Buffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the API server sees (issue 14): the packaged webhook and the {@link FloorServer} in two JVMs with the shipped
 * flags and the Deployment's limits, measured back to back over loopback HTTPS in one run; then start-up to the first
 * patched admission, and the CLI over 1,000 documents. Prints the table that docs/benchmarks.md keeps, and leaves
 * it, the GC logs and the servers' logs in {@code target/wire-benchmark}. No figure is asserted: on a shared machine
 * only the ratios to the floor mean something. Run with {@code mvn -B verify -Pbenchmark}
 * ({@code -Dit.test=WireBenchmarkIT} for this one alone; {@code -Dbench.seconds=N} for the length of each open-loop
 * measurement, 30 by default).
 */
@Tag("benchmark")
class WireBenchmarkIT {

    private static final Path FOLDER = Path.of("target/wire-benchmark");
    private static final int RATE = 500;
    private static final int WORST_CASE_RATE = 50;
    private static final int[] CONNECTIONS = {2, 4, 8};
    private static final int STARTS = 5;
    private static final int CLI_DOCUMENTS = 1_000;
    private static final int CLI_RUNS = 3;
    private static final Predicate<Buffer> PATCHED = answer -> answer.toString().contains("\"patch\":");
    private static final Predicate<Buffer> ANSWERED = answer -> answer.toString().contains("\"allowed\":true");

    /** {@code -Dbench.parts=wire,start,cli}: which parts to measure (all by default), for comparing runtimes. */
    private static final List<String> PARTS = List.of(System.getProperty("bench.parts", "wire,start,cli").split(","));

    private final List<String[]> rows = new ArrayList<>();

    @Test
    void overTheWire() throws Exception {
        Files.createDirectories(FOLDER);
        Map<String, String> tls = new ServingCertificates().start();
        ShippedRuntime runtime = withImageClassArchive(ShippedRuntime.read());
        Duration measured = Duration.ofSeconds(Long.getLong("bench.seconds", 30));
        Buffer typical = Buffer.buffer(BenchmarkPods.typical());
        Map<String, Buffer> worst = new java.util.LinkedHashMap<>();
        worst.put("1,500 env vars", Buffer.buffer(BenchmarkPods.manyEnvVars()));
        worst.put("1 MiB", Buffer.buffer(BenchmarkPods.oneMebibyte()));
        worst.put("10 containers", Buffer.buffer(BenchmarkPods.tenContainers()));
        String before = loadAverage();

        try (LoadDriver driver = new LoadDriver(tls.get("probe-rewriter.tls.cert-file"))) {
            if (PARTS.contains("wire")) {
                measureOverTheWire(driver, runtime, tls, typical, worst, measured);
            }
            if (PARTS.contains("start")) {
                measureStart(driver, runtime, tls, typical);
            }
        }
        if (PARTS.contains("cli")) {
            measureCli();
        }
        print(runtime, before);
    }

    /**
     * The image maps a class archive its own training run made ({@code -XX:SharedArchiveFile}, the Dockerfile), with
     * the other options of its entrypoint, and runs the fast-jar's jars from a flat class path: made here the same
     * way, with this build. {@code -Dbench.class-archive=false} measures without any of it, as
     * {@code java -jar quarkus-run.jar} runs.
     */
    private static ShippedRuntime withImageClassArchive(ShippedRuntime runtime) throws Exception {
        if (!Boolean.parseBoolean(System.getProperty("bench.class-archive", "true"))) {
            return runtime;
        }
        Path archive = FOLDER.resolve("app-cds.jsa");
        ImageClassArchive.Training training = ImageClassArchive.train(runtime.java(), archive,
                Path.of(ServedJvm.JAR).getParent().toString());
        if (training.exitCode() != 0) {
            throw new IllegalStateException("the image's class-data training failed:\n" + training.log());
        }
        try {
            // The training empties the folder it was given (ClassDataSharingIT checks that); the folder is this run's.
            Files.deleteIfExists(training.temporaryFolder());
        } catch (DirectoryNotEmptyException leftBehind) {
            System.out.println("The class-data training left files behind in " + training.temporaryFolder());
        }
        return runtime.asImage(ImageClassArchive.entrypointOptions(archive), training.launch());
    }

    /** The webhook against the floor, figure by figure, both running: every figure is a pair measured back to back. */
    private void measureOverTheWire(LoadDriver driver, ShippedRuntime runtime, Map<String, String> tls, Buffer typical,
                                    Map<String, Buffer> worst, Duration measured) throws Exception {
        try (ServedJvm webhook = ServedJvm.webhook(runtime, tls, FOLDER, "webhook");
             ServedJvm floor = ServedJvm.floor(runtime, tls, FOLDER)) {
            webhook.awaitAnswer(driver, typical, PATCHED, Duration.ofMinutes(2));
            floor.awaitAnswer(driver, typical, ANSWERED, Duration.ofMinutes(1));
            // Idle: started, answered once, then left alone as between admissions.
            Thread.sleep(5_000);
            long webhookIdle = webhook.memory.residentKiB();
            long floorIdle = floor.memory.residentKiB();

            LoadDriver.Result[] open = new LoadDriver.Result[2];
            long[] openPeak = new long[2];
            ServedJvm[] both = {webhook, floor};
            for (int i = 0; i < 2; i++) {
                System.out.println("open loop " + RATE + "/s: " + both[i].name);
                both[i].memory.mark();
                open[i] = driver.openLoop(both[i].port, typical, RATE, Duration.ofSeconds(10), measured);
                openPeak[i] = both[i].memory.peakSinceMarkKiB();
            }
            row(String.format(Locale.ROOT, "open loop %d/s, typical pod (%,d bytes): p50 / p99 / p99.9 / max ms",
                            RATE, typical.length()),
                    percentiles(open[0]), percentiles(open[1]),
                    ratio(open[0].millis(99), open[1].millis(99)) + " (p99)",
                    goal("p99 ≤ 1.5× floor's, ≤ 3 ms", open[0].millis(99) <= 1.5 * open[1].millis(99)
                            && open[0].millis(99) <= 3));

            row("allocated per admission at 500/s, typical pod (from the GC log), KiB",
                    String.format(Locale.ROOT, "%.0f", webhook.allocatedKiBPerRequest(open[0])),
                    String.format(Locale.ROOT, "%.0f", floor.allocatedKiBPerRequest(open[1])),
                    ratio(webhook.allocatedKiBPerRequest(open[0]), floor.allocatedKiBPerRequest(open[1])), "");

            double[] openCpu = {webhook.cpuMicrosPerRequest(open[0]), floor.cpuMicrosPerRequest(open[1])};
            row("CPU per admission at 500/s, typical pod (the server process, all threads): µs (cores in use)",
                    cpu(openCpu[0], RATE), cpu(openCpu[1], RATE), ratio(openCpu[0], openCpu[1]),
                    "the webhook's own: " + micros(openCpu[0] - openCpu[1]) + " µs");
            // Measured here, between the 500/s runs and the closed loops, with both servers idle: the machine as the
            // CPU rows found it.
            ColdCode.Figures cold = ColdCode.measure(typical.getBytes());
            row("the machine, in the benchmark's JVM: binding the typical pod into fabric8's Pod, back to back / every"
                            + " 2 ms / every 10 ms: µs of CPU (a loop of multiplications, back to back / every 10 ms)",
                    String.format(Locale.ROOT, "%.0f / %.0f / %.0f (%.0f / %.0f)", cold.bindBackToBack(),
                            cold.bindEvery2ms(), cold.bindEvery10ms(), cold.controlBackToBack(),
                            cold.controlEvery10ms()),
                    "—", String.format(Locale.ROOT, "%.2f× (%.2f×)", cold.bindFactor(), cold.controlFactor()),
                    "what cold code costs on this machine, for reading the CPU rows");

            double[] best = new double[2];
            double[] bestCpu = new double[2];
            int[] bestConnections = new int[2];
            for (int connections : CONNECTIONS) {
                for (int i = 0; i < 2; i++) {
                    LoadDriver.Result closed = driver.closedLoop(both[i].port, typical, connections,
                            Duration.ofSeconds(2), Duration.ofSeconds(5));
                    failuresCount(both[i].name + " closed loop", closed);
                    if (closed.perSecond() > best[i]) {
                        best[i] = closed.perSecond();
                        bestCpu[i] = both[i].cpuMicrosPerRequest(closed);
                        bestConnections[i] = connections;
                    }
                }
            }
            row("closed loop, typical pod, best of 2/4/8 keep-alive connections: answers/s",
                    String.format(Locale.ROOT, "%,.0f (%d)", best[0], bestConnections[0]),
                    String.format(Locale.ROOT, "%,.0f (%d)", best[1], bestConnections[1]),
                    ratio(best[0], best[1]), goal("≥ 0.4× floor's", best[0] >= 0.4 * best[1]));
            row("CPU per answer in that closed loop: µs (cores in use)", cpu(bestCpu[0], best[0]),
                    cpu(bestCpu[1], best[1]), ratio(bestCpu[0], bestCpu[1]),
                    "the webhook's own: " + micros(bestCpu[0] - bestCpu[1]) + " µs");

            // The first 500/s run follows start-up, so its CPU includes the JIT compiling the admission path; this one
            // comes after the closed loops and gives what a replica that has been serving for a while spends.
            LoadDriver.Result[] warm = new LoadDriver.Result[2];
            for (int i = 0; i < 2; i++) {
                warm[i] = driver.openLoop(both[i].port, typical, RATE, Duration.ofSeconds(2), measured);
                failuresCount(both[i].name + " warm open loop", warm[i]);
            }
            double[] warmCpu = {webhook.cpuMicrosPerRequest(warm[0]), floor.cpuMicrosPerRequest(warm[1])};
            row("CPU per admission at 500/s again, after the closed loops (warm JIT): µs (cores in use); p99 ms",
                    cpu(warmCpu[0], RATE) + "; " + String.format(Locale.ROOT, "%.2f", warm[0].millis(99)),
                    cpu(warmCpu[1], RATE) + "; " + String.format(Locale.ROOT, "%.2f", warm[1].millis(99)),
                    ratio(warmCpu[0], warmCpu[1]), "the webhook's own: " + micros(warmCpu[0] - warmCpu[1]) + " µs");

            Map<String, double[]> worstAllocated = new java.util.LinkedHashMap<>();
            Map<String, double[]> worstCpu = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Buffer> pod : worst.entrySet()) {
                LoadDriver.Result[] result = new LoadDriver.Result[2];
                for (int i = 0; i < 2; i++) {
                    result[i] = driver.openLoop(both[i].port, pod.getValue(), WORST_CASE_RATE,
                            Duration.ofSeconds(3), Duration.ofSeconds(Math.max(10, measured.toSeconds() / 3)));
                }
                row(String.format(Locale.ROOT, "open loop %d/s, %s (%,d bytes): p50 / p99 / max ms",
                                WORST_CASE_RATE, pod.getKey(), pod.getValue().length()),
                        shortPercentiles(result[0]), shortPercentiles(result[1]),
                        ratio(result[0].millis(99), result[1].millis(99)) + " (p99)",
                        goal("p99 ≤ 1.5× floor's", result[0].millis(99) <= 1.5 * result[1].millis(99)));
                worstAllocated.put(pod.getKey(), new double[] {webhook.allocatedKiBPerRequest(result[0]),
                    floor.allocatedKiBPerRequest(result[1])});
                worstCpu.put(pod.getKey(), new double[] {webhook.cpuMicrosPerRequest(result[0]),
                    floor.cpuMicrosPerRequest(result[1])});
            }
            row("allocated per admission at 50/s (from the GC log): 1,500 env vars / 1 MiB / 10 containers, KiB",
                    perPod(worstAllocated, 0), perPod(worstAllocated, 1), "",
                    "a 1 MiB pod: a few times a typical one");
            // Whether a worst case's distance from the floor is the webhook's own work or time spent waiting.
            row("CPU per admission at 50/s (the server process, all threads): 1,500 env vars / 1 MiB / 10 containers,"
                            + " µs", perPod(worstCpu, 0), perPod(worstCpu, 1), "",
                    "the webhook's own: " + String.join(" / ", worstCpu.values().stream()
                            .map(cpu -> micros(cpu[0] - cpu[1])).toList()) + " µs");

            row("resident memory (VmRSS): idle / peak during the 500/s run, MiB",
                    mib(webhookIdle) + " / " + mib(openPeak[0]), mib(floorIdle) + " / " + mib(openPeak[1]),
                    ratio(openPeak[0], openPeak[1]) + " (peak)",
                    goal("peak ≤ 150 MiB", openPeak[0] <= 150 * 1024));
            row("resident memory, peak over the whole run (VmHWM, start-up included), MiB",
                    mib(webhook.memory.lifetimePeakKiB()), mib(floor.memory.lifetimePeakKiB()),
                    ratio(webhook.memory.lifetimePeakKiB(), floor.memory.lifetimePeakKiB()), "");
            GcLog.Summary webhookGc = webhook.pausesSinceReady();
            GcLog.Summary floorGc = floor.pausesSinceReady();
            row("GC pauses after start-up: longest ms, its kind and CPU (count, total ms; median ms)", gc(webhookGc),
                    gc(floorGc),
                    ratio(webhookGc.longestMillis(), floorGc.longestMillis()),
                    goal("longest ≤ 10 ms", webhookGc.longestMillis() <= 10));
            row("the CPU limit's quota: 100 ms periods in which the server used it up and waited, of those it ran in,"
                    + " and the time waited (the whole run, start-up included)", webhook.throttling(),
                    floor.throttling(), "", "");
        }
    }

    /** Fresh webhook processes, one after the other: exec to the first answer that carries a patch. */
    private void measureStart(LoadDriver driver, ShippedRuntime runtime, Map<String, String> tls, Buffer typical)
            throws Exception {
        List<Double> starts = new ArrayList<>();
        List<String> throttling = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            try (ServedJvm fresh = ServedJvm.webhook(runtime, tls, FOLDER, "start-" + i)) {
                starts.add(fresh.awaitAnswer(driver, typical, PATCHED, Duration.ofMinutes(2)).toMillis() / 1000.0);
                throttling.add(fresh.throttling());
            }
        }
        System.out.println("start-up, the CPU limit's quota to the first answer, start by start: " + throttling);
        Collections.sort(starts);
        row("process start → first admission answered with a patch: median of 5 (min–max), s",
                String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", starts.get(STARTS / 2), starts.get(0),
                        starts.get(STARTS - 1)), "—", "—", goal("≤ 1.5 s", starts.get(STARTS / 2) <= 1.5));
    }

    private void measureCli() throws Exception {
        // The README's example (a Service and a Deployment) over and over: 1,000 documents as a user's manifests.
        Path deployments = FOLDER.resolve("manifests.yaml");
        String example = Files.readString(Path.of("docs/examples/httpbin.yaml"));
        Files.writeString(deployments, String.join("\n---\n", Collections.nCopies(CLI_DOCUMENTS / 2, example)));
        List<Double> cli = new ArrayList<>();
        for (int i = 0; i < CLI_RUNS; i++) {
            cli.add(rewrite(deployments));
        }
        Collections.sort(cli);
        row(String.format(Locale.ROOT, "CLI `rewrite` of %,d documents (docs/examples/httpbin.yaml repeated, %,d bytes): median of %d, s",
                        CLI_DOCUMENTS, Files.size(deployments), CLI_RUNS),
                String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", cli.get(CLI_RUNS / 2), cli.get(0), cli.get(CLI_RUNS - 1)),
                "—", "—", goal("≤ 2 s", cli.get(CLI_RUNS / 2) <= 2));
    }

    /** The packaged CLI as a user runs it (the launcher, no options): wall time from exec to exit. */
    private static double rewrite(Path manifest) throws Exception {
        long start = System.nanoTime();
        Process process = new ProcessBuilder("target/probe-rewriter", "rewrite", "-f", manifest.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(FOLDER.resolve("cli.log").toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the CLI took over two minutes");
        }
        assertEquals(0, process.exitValue(), "the CLI's exit code (see target/wire-benchmark/cli.log)");
        return (System.nanoTime() - start) / 1e9;
    }

    private void print(ShippedRuntime runtime, String loadBefore) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Measured %s on %d cores (load average before: %s, after: %s)%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage()));
        out.append("Server JVMs: ").append(runtime.describe()).append(System.lineSeparator());
        out.append("Java: ").append(javaVersion(runtime.java())).append(System.lineSeparator());
        out.append(System.lineSeparator());
        out.append("| figure | webhook | floor | ratio | goal |").append(System.lineSeparator());
        out.append("|---|---|---|---|---|").append(System.lineSeparator());
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |").append(System.lineSeparator());
        }
        Files.writeString(FOLDER.resolve("table.md"), out);
        System.out.println();
        System.out.println("== over the wire (issue 14): the webhook against the floor, back to back ==");
        System.out.print(out);
    }

    private void row(String figure, String webhook, String floor, String ratio, String goal) {
        rows.add(new String[] {figure, webhook, floor, ratio, goal});
        System.out.println(figure + ": " + webhook + " | " + floor + " | " + ratio + " | " + goal);
    }

    private static void failuresCount(String what, LoadDriver.Result result) {
        if (result.failures() > 0) {
            System.out.println(what + ": " + result.failures() + " failed requests");
        }
    }

    private static String percentiles(LoadDriver.Result result) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.1f%s", result.millis(50), result.millis(99),
                result.millis(99.9), result.maxMillis(), failures(result));
    }

    private static String shortPercentiles(LoadDriver.Result result) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.1f%s", result.millis(50), result.millis(99),
                result.maxMillis(), failures(result));
    }

    private static String failures(LoadDriver.Result result) {
        return result.failures() == 0 ? "" : " (" + result.failures() + " failed)";
    }

    /** One server's figure for each worst-case pod, in the pods' order. */
    private static String perPod(Map<String, double[]> figures, int server) {
        return String.join(" / ", figures.values().stream()
                .map(figure -> String.format(Locale.ROOT, "%.0f", figure[server])).toList());
    }

    private static String gc(GcLog.Summary summary) {
        String cpu = summary.longestCpu().isEmpty() ? "" : ", " + summary.longestCpu();
        return String.format(Locale.ROOT, "%.1f, %s%s (%d, %.0f; median %.1f)", summary.longestMillis(),
                summary.longestKind(), cpu, summary.count(), summary.totalMillis(), summary.medianMillis());
    }

    private static String ratio(double webhook, double floor) {
        return floor <= 0 ? "—" : String.format(Locale.ROOT, "%.2f×", webhook / floor);
    }

    /** Microseconds of CPU per request, and the cores that makes at {@code perSecond} requests a second. */
    private static String cpu(double micros, double perSecond) {
        return String.format(Locale.ROOT, "%s (%.2f)", micros(micros), micros * perSecond / 1e6);
    }

    private static String micros(double micros) {
        return String.format(Locale.ROOT, "%.0f", micros);
    }

    private static String mib(long kib) {
        return String.format(Locale.ROOT, "%.0f", kib / 1024.0);
    }

    private static String goal(String goal, boolean met) {
        return goal + (met ? ": met" : ": **not met**");
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String javaVersion(String java) throws Exception {
        Process process = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return text.lines().skip(1).findFirst().orElse(text).trim();
    }
}
