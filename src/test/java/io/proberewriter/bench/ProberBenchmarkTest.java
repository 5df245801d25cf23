package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the prober costs in a pod, beside the tools exec mode used before it, all doing the same check in the same
 * run: the binary's size; the wall time from starting the process to its exit with a verdict, on loopback, against
 * an app that answers at once (median and 90th percentile of {@value #RUNS} runs after warm-up, with the cost of
 * starting any process from this JVM, {@code /bin/true}, as the floor); the CPU time (user + system) per run, which a
 * loaded machine inflates less than wall time; and the peak RSS, from GNU time's maximum resident set size. GNU time
 * counts CPU in 10 ms ticks, so the CPU figure is the mean over {@value #TIMED_RUNS} runs. Goals (issue 13): at most
 * 8 MiB, a median at most 5 ms, at most 10 MiB. Printed, not asserted (a loaded machine would make a timed assertion
 * flaky): run with {@code mvn -B verify -Pbenchmark}.
 *
 * <p>Start-up on a virtual machine is mostly page faults, so the table has two more floors and a column to tell the
 * machine's share from the prober's: an empty static Go program (what any Go binary pays before its first line), the
 * minor page faults of each run (GNU time), and the cost of one page fault here, from a Go program that touches
 * fresh anonymous memory page by page.
 */
@Tag("benchmark")
class ProberBenchmarkTest {

    private static final int RUNS = 41;
    private static final int WARMUP = 5;
    private static final int TIMED_RUNS = 41;
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    @Test
    void proberBesideCurlAndBusyboxWget() throws Exception {
        Path prober = Path.of(System.getProperty("prober.binary", "target/prober/prober")).toAbsolutePath();
        assertTrue(Files.isExecutable(prober), "build the prober first (Go, profile prober): " + prober);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        http.createContext("/healthz", exchange -> {
            byte[] ok = "ok\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        http.start();
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new HealthStatusManager().getHealthService()).build().start();
        try {
            String port = Integer.toString(http.getAddress().getPort());
            String url = "http://127.0.0.1:" + port + "/healthz";
            System.out.println();
            System.out.printf(Locale.ROOT, "== prober: binary %s, %.2f MiB (goal <= 8 MiB) ==%n", prober,
                    Files.size(prober) / 1048576.0);
            System.out.printf(Locale.ROOT, "%-34s %10s %10s %12s %14s %12s%n", "check (start to verdict, loopback)",
                    "median", "p90", "CPU (mean)", "peak RSS", "page faults");
            measure("/bin/true (process start floor)", List.of("/bin/true"));
            Path floors = Files.createTempDirectory("go-floors");
            if (buildGo(floors, "empty", "package main\n\nfunc main() {}\n")) {
                measure("empty static Go program", List.of(floors.resolve("empty").toString()));
            }
            if (buildGo(floors, "faults", TOUCH_PAGES)) {
                Process touch = new ProcessBuilder(floors.resolve("faults").toString()).redirectErrorStream(true).start();
                System.out.println(new String(touch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
                touch.waitFor(30, TimeUnit.SECONDS);
            }
            measure("prober http", List.of(prober.toString(), "http", "--port", port, "--path", "/healthz",
                    "--timeout", "1"));
            measure("curl", List.of("curl", "--disable", "--silent", "--show-error", "--fail", "--max-time", "1",
                    "--output", "/dev/null", url));
            measure("busybox wget", List.of("busybox", "wget", "-q", "-O", "/dev/null", url));
            measure("prober tcp", List.of(prober.toString(), "tcp", "--port", port, "--timeout", "1"));
            measure("prober grpc (grpc-java health)", List.of(prober.toString(), "grpc", "--port",
                    Integer.toString(grpc.getPort()), "--timeout", "1"));
        } finally {
            http.stop(0);
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void measure(String label, List<String> command) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < WARMUP + RUNS; i++) {
            long start = System.nanoTime();
            int exit = run(command);
            double took = (System.nanoTime() - start) / 1e6;
            assertEquals(0, exit, label + " must pass: " + command);
            if (i >= WARMUP) {
                millis.add(took);
            }
        }
        Collections.sort(millis);
        String rss = "n/a (no GNU time)";
        String cpu = "n/a";
        String faults = "n/a";
        if (Files.isExecutable(GNU_TIME)) {
            List<Long> kib = new ArrayList<>();
            List<Long> minorFaults = new ArrayList<>();
            double cpuSeconds = 0;
            for (int i = 0; i < TIMED_RUNS; i++) {
                Path out = Files.createTempFile("rss", ".txt");
                List<String> timed = new ArrayList<>(List.of(GNU_TIME.toString(), "-f", "%M %U %S %R", "-o",
                        out.toString()));
                timed.addAll(command);
                assertEquals(0, run(timed), label);
                String[] fields = Files.readString(out).trim().split(" ");
                kib.add(Long.parseLong(fields[0]));
                cpuSeconds += Double.parseDouble(fields[1]) + Double.parseDouble(fields[2]);
                minorFaults.add(Long.parseLong(fields[3]));
                Files.delete(out);
            }
            Collections.sort(kib);
            Collections.sort(minorFaults);
            faults = Long.toString(minorFaults.get(minorFaults.size() / 2));
            rss = String.format(Locale.ROOT, "%.1f MiB", kib.get(kib.size() / 2) / 1024.0);
            cpu = String.format(Locale.ROOT, "%.1f ms", cpuSeconds * 1000 / TIMED_RUNS);
        }
        System.out.printf(Locale.ROOT, "%-34s %7.2f ms %7.2f ms %12s %14s %12s%n", label, millis.get(millis.size() / 2),
                millis.get(millis.size() * 9 / 10), cpu, rss, faults);
    }

    /**
     * Touches 64 MiB of fresh anonymous memory one 4 KiB page at a time and prints the time per page: the price of a
     * minor page fault on this machine (a fraction of a microsecond on bare metal, much more under some hypervisors).
     */
    private static final String TOUCH_PAGES = """
            package main

            import (
            	"fmt"
            	"syscall"
            	"time"
            )

            func main() {
            	const size, page = 64 << 20, 4096
            	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
            	if err != nil {
            		panic(err)
            	}
            	start := time.Now()
            	for i := 0; i < size; i += page {
            		mem[i] = 1
            	}
            	fmt.Printf("one minor page fault on this machine: %.1f us (64 MiB touched page by page)\\n",
            		float64(time.Since(start).Microseconds())/float64(size/page))
            }
            """;

    /** Builds a one-file static Go program as the prober is built; false (and the row left out) without Go. */
    private static boolean buildGo(Path dir, String name, String source) throws Exception {
        Path file = dir.resolve(name + ".go");
        Files.writeString(file, source);
        try {
            ProcessBuilder build = new ProcessBuilder("go", "build", "-trimpath", "-ldflags=-s -w", "-o", name,
                    file.toString()).directory(dir.toFile()).redirectErrorStream(true);
            build.environment().put("CGO_ENABLED", "0");
            Process go = build.start();
            go.getOutputStream().close();
            String output = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!go.waitFor(120, TimeUnit.SECONDS) || go.exitValue() != 0) {
                System.out.println("(no " + name + " Go floor: " + output.trim() + ")");
                return false;
            }
            return true;
        } catch (IOException noGo) {
            System.out.println("(no " + name + " Go floor: " + noGo.getMessage() + ")");
            return false;
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("did not finish: " + command);
        }
        return p.exitValue();
    }
}
