package io.proberewriter.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.bench.wire.ShippedRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The webhook Deployment's {@code JAVA_OPTS_APPEND}, and what the docs tell a user to append to it, as this JDK takes
 * them: a JVM that refuses its options never runs a line of the webhook, and every replica of a rollout fails the same
 * way. The JVM is asked which compiler threads it would start ({@code -XX:+PrintFlagsFinal}), which needs no
 * application.
 */
class WebhookJavaOptionsTest {

    /** What the docs give to bring C2 back (operations.md, configuration.md, troubleshooting.md, the manifests). */
    static final List<String> BOTH_COMPILERS = List.of("-XX:TieredStopAtLevel=4", "-XX:CICompilerCount=2");

    @Test
    void theShippedOptionsStartOneC1Thread() throws Exception {
        Jvm jvm = Jvm.with(List.of());
        assertEquals(0, jvm.exitCode, jvm.output);
        assertEquals("1", jvm.flag("TieredStopAtLevel"), "C1 alone: " + jvm.output);
        assertEquals("1", jvm.flag("CICompilerCount"), "one compiler thread: " + jvm.output);
        assertEquals("true", jvm.flag("UseSerialGC"), "one processor and 512 MiB: the Serial collector");
    }

    @Test
    void theDocumentedWayBackToBothCompilersStarts() throws Exception {
        Jvm jvm = Jvm.with(BOTH_COMPILERS);
        assertEquals(0, jvm.exitCode, jvm.output);
        assertEquals("4", jvm.flag("TieredStopAtLevel"), jvm.output);
        assertEquals("2", jvm.flag("CICompilerCount"), jvm.output);
        for (Path doc : List.of(Path.of("docs/operations.md"), Path.of("docs/configuration.md"),
                Path.of("docs/troubleshooting.md"), Path.of("k8s/base/deployment.yaml"),
                Path.of("k8s/helm/probe-rewriter/values.yaml"))) {
            assertTrue(Files.readString(doc).contains(String.join(" ", BOTH_COMPILERS)),
                    doc + " gives the options this test starts the JVM with");
        }
    }

    @Test
    void c2AloneIsRefusedWithTheMessageTroubleshootingQuotes() throws Exception {
        Jvm jvm = Jvm.with(List.of("-XX:TieredStopAtLevel=4"));
        assertNotEquals(0, jvm.exitCode, "one compiler thread is too few for both compilers: " + jvm.output);
        String message = "CICompilerCount (1) must be at least 2";
        assertTrue(jvm.output.contains(message), jvm.output);
        assertTrue(Files.readString(Path.of("docs/troubleshooting.md")).contains(message),
                "troubleshooting.md quotes what the JVM says");
    }

    /** A {@code java -XX:+PrintFlagsFinal -version} with the Deployment's options, then {@code appended}. */
    private record Jvm(int exitCode, String output) {

        static Jvm with(List<String> appended) throws IOException, InterruptedException {
            ShippedRuntime runtime = ShippedRuntime.read();
            List<String> command = new ArrayList<>();
            command.add(runtime.java());
            command.addAll(runtime.options());
            command.addAll(appended);
            command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java -version ended");
            return new Jvm(process.exitValue(), output);
        }

        /** A flag's final value: {@code <type> <name> = <value> {...}}. */
        String flag(String name) {
            return output.lines().map(String::trim).map(line -> line.split("\\s+"))
                    .filter(words -> words.length >= 4 && words[1].equals(name) && words[2].equals("="))
                    .map(words -> words[3]).findFirst()
                    .orElseThrow(() -> new AssertionError("no flag " + name + " in:\n" + output));
        }
    }
}
