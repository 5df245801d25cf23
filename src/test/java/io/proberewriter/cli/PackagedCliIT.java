package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.golden.GoldenCase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CLI as users run it: the packaged fast-jar ({@code target/quarkus-app/quarkus-run.jar}) in its own JVM, through
 * {@code java -jar} and through the README's launcher ({@code target/probe-rewriter}), which runs every golden case.
 */
class PackagedCliIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    /** A working directory apart from the project's, from which the launcher must still find its fast-jar. */
    private static final Path ELSEWHERE = Path.of("target/elsewhere").toAbsolutePath();

    record Result(int exitCode, String out, String err) {
    }

    private static Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).start();
    }

    /** Runs {@code target/probe-rewriter} from another working directory, with the Java of this JVM as JAVA_HOME. */
    private static Process launch(List<String> args) throws IOException {
        Files.createDirectories(ELSEWHERE);
        Path launcher = Path.of("target/probe-rewriter").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), launcher + " is not an executable file");
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(ELSEWHERE.toFile());
        builder.environment().put("JAVA_HOME", Path.of(JAVA).getParent().getParent().toString());
        return builder.start();
    }

    private static Result finish(Process process) throws Exception {
        // Drain both streams concurrently, each on a thread of its own: a full pipe would block the child, and a
        // shared pool could be taken up by the readers of other cases' processes.
        java.util.concurrent.Executor ownThread = task -> new Thread(task).start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getInputStream()), ownThread);
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), ownThread);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the CLI did not finish");
        return new Result(process.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Result run(String... args) throws Exception {
        Process process = start(List.of(args));
        process.getOutputStream().close();
        return finish(process);
    }

    /** Without LANG, JDK 17 takes the console for ASCII: the output must stay UTF-8, as manifests are. */
    @Test
    void nonAsciiValuesSurviveTheCLocale() throws Exception {
        Files.createDirectories(ELSEWHERE);
        Path in = ELSEWHERE.resolve("unicode.yaml");
        Files.writeString(in, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n"
                + "data:\n  text: \"café, ünïcode, 日本 😀\"\n", StandardCharsets.UTF_8);
        Path launcher = Path.of("target/probe-rewriter").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "rewrite", "-f", in.toString())
                .directory(ELSEWHERE.toFile());
        builder.environment().put("JAVA_HOME", Path.of(JAVA).getParent().getParent().toString());
        builder.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        Process process = builder.start();
        process.getOutputStream().close();
        Result result = finish(process);
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("café, ünïcode, 日本 😀"), result.out());
    }

    @TestFactory
    Stream<DynamicTest> rewriteOfEveryGoldenCase() throws IOException {
        // One JVM per case, a second each, mostly start-up: run as many at once as there are cores, each case's test
        // waiting for its own.
        ExecutorService runs = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        List<GoldenCase> cases = GoldenCase.all().toList();
        List<Future<Result>> results = new ArrayList<>();
        for (GoldenCase c : cases) {
            List<String> args = new ArrayList<>(List.of("rewrite", "-f", c.input().toAbsolutePath().toString()));
            args.addAll(c.flags());
            results.add(runs.submit(() -> {
                Process process = launch(args);
                process.getOutputStream().close();
                return finish(process);
            }));
        }
        runs.shutdown();
        return IntStream.range(0, cases.size()).mapToObj(i -> DynamicTest.dynamicTest(cases.get(i).name(), () -> {
            Result result = results.get(i).get();
            assertEquals(0, result.exitCode(), result.err());
            assertEquals(Files.readString(cases.get(i).expected()), result.out(), cases.get(i).name());
        }));
    }

    @Test
    void readsStandardInputAndOpensNoPort() throws Exception {
        Path input = GoldenCase.ROOT.resolve("seed-sample1-httpbin/input.yaml");
        Process process = start(List.of("rewrite", "-f", "-"));
        // While the CLI waits for its input, Quarkus has booted: no listening socket may exist.
        Set<String> listening = new HashSet<>();
        for (int i = 0; i < 25 && process.isAlive(); i++) {
            Thread.sleep(200);
            listening.addAll(ListeningSockets.of(process.pid()));
        }
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(Files.readAllBytes(input));
        }
        Result result = finish(process);
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(Files.readString(input.resolveSibling("expected.yaml")), result.out());
        assertEquals(Set.of(), listening, "the CLI must not listen on any port");
    }

    @Test
    void analyzeReportsTheSeedDiagnosticWithExitCodeOne() throws Exception {
        Result result = run("analyze", "-f", GoldenCase.ROOT.resolve("seed-sample1-httpbin/input.yaml").toString());
        assertEquals(ExitCodes.FINDINGS, result.exitCode(), result.err());
        assertTrue(result.out().startsWith("The pod deployment/httpbin in namespace default uses liveness probe which"
                + " is incompatible with mTLS."), result.out());
        assertTrue(result.err().contains("1 probe incompatible with mTLS; 'rewrite' would fix 1"), result.err());
    }

    @Test
    void badInputExitsTwoWithNothingOnStdout() throws Exception {
        Path bad = Files.createTempFile("bad", ".yaml");
        Files.writeString(bad, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n");
        Result result = run("rewrite", "-f", bad.toString());
        Files.delete(bad);
        assertEquals(ExitCodes.BAD_INPUT, result.exitCode());
        assertEquals("", result.out());
        assertTrue(result.err().contains("document 1 (Deployment web): spec.template is missing"), result.err());
    }

    @Test
    void helpAndVersion() throws Exception {
        Result help = run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("rewrite") && help.out().contains("analyze"), help.out());
        Result version = run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("probe-rewriter 0."), version.out());
    }

    /**
     * Installed as users install a script: a symbolic link on PATH (here a relative link to an absolute one), and
     * as a kubectl plugin ({@code kubectl-probe_rewriter}): the launcher finds its fast-jar through both.
     */
    @Test
    void theLauncherRunsThroughSymbolicLinks() throws Exception {
        Path bin = Files.createDirectories(ELSEWHERE.resolve("bin"));
        Path launcher = Path.of("target/probe-rewriter").toAbsolutePath();
        Path absolute = bin.resolve("probe-rewriter");
        Files.deleteIfExists(absolute);
        Files.createSymbolicLink(absolute, launcher);
        Path plugin = bin.resolve("kubectl-probe_rewriter");
        Files.deleteIfExists(plugin);
        Files.createSymbolicLink(plugin, Path.of("probe-rewriter"));
        for (Path link : List.of(absolute, plugin)) {
            ProcessBuilder builder = new ProcessBuilder(link.toString(), "--version").directory(ELSEWHERE.toFile());
            builder.environment().put("JAVA_HOME", Path.of(JAVA).getParent().getParent().toString());
            Process process = builder.start();
            process.getOutputStream().close();
            Result result = finish(process);
            assertEquals(0, result.exitCode(), link + ": " + result.err());
            assertTrue(result.out().startsWith("probe-rewriter 0."), link + ": " + result.out());
        }
    }

    /**
     * The README's commands as written: {@code target/probe-rewriter} (built by {@code mvn package} beside the
     * fast-jar) runs the same CLI as {@code java -jar}, from any working directory, with the Java of JAVA_HOME.
     */
    @Test
    void theLauncherRunsTheCliAsWritten() throws Exception {
        Path example = Path.of("docs/examples/httpbin.yaml").toAbsolutePath();
        Process process = launch(List.of("rewrite", "-f", example.toString()));
        process.getOutputStream().close();
        Result viaLauncher = finish(process);
        Result viaJar = run("rewrite", "-f", example.toString());
        assertEquals(0, viaLauncher.exitCode(), viaLauncher.err());
        assertEquals(viaJar.out(), viaLauncher.out());
        assertTrue(viaLauncher.out().contains("exec:"), viaLauncher.out());
    }
}
