package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Wall time and peak memory of the packaged CLI, start to exit, as a user runs it: the launcher
 * {@code target/probe-rewriter}, which runs the offline commands with C1 alone; and, beside it, the same with both
 * compilers ({@code JAVA_OPTS=-XX:TieredStopAtLevel=4}), the JVM's default. Peak memory (VmHWM) is read with GNU time
 * when it is installed. Run with {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
class CliStartupBenchmarkIT {

    private static final Path JAVA_HOME = Path.of(ProcessHandle.current().info().command().orElseThrow())
            .getParent().getParent();
    private static final String BOTH_COMPILERS = "-XX:TieredStopAtLevel=4";
    private static final int RUNS = 7;

    @Test
    void startupAndOneRewrite() throws Exception {
        System.out.println();
        System.out.println("== packaged CLI, wall time from exec to exit (" + RUNS + " runs) ==");
        List<String> rewrite = List.of("rewrite", "-f", "docs/examples/httpbin.yaml");
        measure("--version", List.of("--version"), "");
        measure("rewrite -f docs/examples/httpbin.yaml", rewrite, "");
        measure("the same, both compilers", rewrite, BOTH_COMPILERS);
    }

    private static void measure(String label, List<String> args, String javaOpts) throws Exception {
        boolean gnuTime = Files.isExecutable(Path.of("/usr/bin/time"));
        List<Double> seconds = new ArrayList<>();
        List<Long> peakKiB = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            List<String> command = new ArrayList<>();
            Path timeOut = Files.createTempFile("time", ".txt");
            if (gnuTime) {
                command.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", timeOut.toString()));
            }
            command.add("target/probe-rewriter");
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("JAVA_HOME", JAVA_HOME.toString());
            builder.environment().put("JAVA_OPTS", javaOpts);
            long start = System.nanoTime();
            Process process = builder.start();
            process.getOutputStream().close();
            process.waitFor(60, TimeUnit.SECONDS);
            seconds.add((System.nanoTime() - start) / 1e9);
            assertEquals(0, process.exitValue(), label);
            if (gnuTime) {
                peakKiB.add(Long.parseLong(Files.readString(timeOut).trim()));
            }
            Files.deleteIfExists(timeOut);
        }
        Collections.sort(seconds);
        Collections.sort(peakKiB);
        System.out.printf(Locale.ROOT, "%-45s median %.2f s  min %.2f s  max %.2f s%s%n", label,
                seconds.get(RUNS / 2), seconds.get(0), seconds.get(RUNS - 1),
                peakKiB.isEmpty() ? "" : String.format(Locale.ROOT, "  peak RSS median %d MiB",
                        peakKiB.get(RUNS / 2) / 1024));
    }
}
