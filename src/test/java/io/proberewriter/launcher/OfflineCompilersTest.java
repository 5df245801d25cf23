package io.proberewriter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proberewriter.packaging.ImageClassArchive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways a user starts the JVM, the launcher script ({@code src/main/sh/probe-rewriter}, what
 * {@code mvn package} copies to {@code target/}) and the image's entrypoint (the Dockerfile), give the offline
 * commands C1 alone and the serving ones both compilers, and let the user's options come after. Both are run as
 * written, with a {@code java} that prints the arguments it is given.
 */
class OfflineCompilersTest {

    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";
    /** Every command maps the image's class archive (ClassDataSharingIT checks it is made and used). */
    static final String CLASS_ARCHIVE = "-XX:SharedArchiveFile=/deployments/app-cds.jsa";
    /** …hands the memory glibc keeps back to the system every 5 s… */
    static final String NATIVE_HEAP_TRIM = "-XX:TrimNativeHeapInterval=5000";
    /** …and runs from the flat class path of the image's argument file (ImageClassPathIT checks what it holds). */
    static final String LAUNCH_ARGS = "@/deployments/launch.args";

    @TempDir
    Path dir;

    @Test
    void theLauncherScriptGivesTheOfflineCommandsC1Alone() throws Exception {
        Path script = dir.resolve("probe-rewriter");
        Files.copy(Path.of("src/main/sh/probe-rewriter"), script);
        Files.createDirectories(dir.resolve("quarkus-app"));
        Files.createFile(dir.resolve("quarkus-app/quarkus-run.jar"));
        Path javaHome = fakeJava(dir.resolve("jdk/bin"));
        for (String command : Main.OFFLINE_COMMANDS) {
            List<String> args = run(launcherCommand(script, command, "-f", "x.yaml"),
                    Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", "-Xmx64m -XX:TieredStopAtLevel=4"));
            assertEquals(List.of(C1_ONLY, "-Xmx64m", "-XX:TieredStopAtLevel=4", "-jar",
                    dir.resolve("quarkus-app/quarkus-run.jar").toString(), command, "-f", "x.yaml"), args,
                    command + ": C1 alone, then the user's options, which the JVM reads last");
        }
        for (String serving : List.of("serve", Main.OPERATOR_COMMAND, "--version")) {
            List<String> args = run(launcherCommand(script, serving), Map.of("JAVA_HOME", javaHome.toString()));
            assertFalse(args.contains(C1_ONLY), serving + " keeps both compilers: " + args);
            assertEquals(serving, args.get(args.size() - 1));
        }
        List<String> none = run(launcherCommand(script), Map.of("JAVA_HOME", javaHome.toString()));
        assertFalse(none.contains(C1_ONLY), "no command serves: " + none);
    }

    @Test
    void theImageEntrypointGivesTheOfflineCommandsC1Alone() throws Exception {
        List<String> entrypoint = entrypoint();
        Path bin = fakeJava(dir.resolve("bin")).resolve("bin");
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "JAVA_OPTS_APPEND", "-XX:MaxRAMPercentage=60 -XX:TieredStopAtLevel=4");
        for (String command : Main.OFFLINE_COMMANDS) {
            List<String> args = run(with(entrypoint, command, "-f", "/work/x.yaml"), env);
            assertEquals(List.of(CLASS_ARCHIVE, NATIVE_HEAP_TRIM, C1_ONLY, "-XX:MaxRAMPercentage=60", "-XX:TieredStopAtLevel=4",
                    LAUNCH_ARGS, command, "-f", "/work/x.yaml"), args, command);
        }
        String cmd = Files.readString(Path.of("Dockerfile"));
        assertTrue(cmd.contains("CMD [\"serve\"]"), "the image serves by default");
        for (String serving : List.of("serve", Main.OPERATOR_COMMAND)) {
            List<String> args = run(with(entrypoint, serving), env);
            assertEquals(List.of(CLASS_ARCHIVE, NATIVE_HEAP_TRIM, "-XX:MaxRAMPercentage=60", "-XX:TieredStopAtLevel=4",
                    LAUNCH_ARGS, serving), args, serving + " keeps both compilers");
        }
    }

    /** The webhook image's ENTRYPOINT, an exec-form JSON array. */
    private static List<String> entrypoint() throws IOException {
        String last = ImageClassArchive.entrypoint(Files.readString(Path.of("Dockerfile")));
        assertTrue(last.startsWith("["), "the Dockerfile's ENTRYPOINT is in exec form: " + last);
        List<String> entrypoint = new ArrayList<>();
        new ObjectMapper().readTree(last).forEach(word -> entrypoint.add(word.asText()));
        assertEquals("sh", entrypoint.get(0), "the webhook's entrypoint: " + entrypoint);
        return entrypoint;
    }

    /** A JDK whose {@code java} prints each argument on a line of its own. */
    private static Path fakeJava(Path bin) throws IOException {
        Files.createDirectories(bin);
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin.getParent();
    }

    /** The script as {@code target/probe-rewriter} runs it (the source file is not executable; the build's copy is). */
    private static List<String> launcherCommand(Path script, String... args) {
        return with(List.of("sh", script.toString()), args);
    }

    private static List<String> with(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    private static List<String> run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("JAVA_OPTS_APPEND");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "finished: " + command);
        assertEquals(0, process.exitValue(), out);
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
