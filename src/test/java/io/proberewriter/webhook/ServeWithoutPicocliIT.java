package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged webhook started as the image starts it ({@code serve}, or no command at all) serves without picocli
 * building its command tree, which JDK 17's class archive cannot hold and which ran on the main thread beside the first
 * admissions (launcher.ServeApplication). What {@code serve} does not take is refused before the application starts.
 */
class ServeWithoutPicocliIT {

    @TempDir
    Path dir;

    @Test
    void serveAndNoCommandAnswerWithoutBuildingTheCommandTree() throws Exception {
        for (List<String> arguments : List.of(List.of("serve"), List.<String>of())) {
            Path classes = dir.resolve("classes-" + arguments.size() + ".log");
            List<String> java = List.of(PackagedReplica.JAVA, "-Xlog:class+load=info:file=" + classes);
            try (PackagedReplica replica = PackagedReplica.start(java, List.of("-jar", PackagedReplica.JAR),
                    arguments, Map.of())) {
                assertPatched(replica, arguments);
            }
            // CommandSpec is picocli's model of a command: building the tree of probe-rewriter's four loads it.
            List<String> model = Files.readAllLines(classes, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains(" picocli.CommandLine$Model$")).toList();
            assertEquals(List.of(), model, arguments + ": picocli's command model was built");
        }
    }

    @Test
    void anOptionServeDoesNotTakeIsRefusedBeforeAnyPortOpens() throws Exception {
        // Refused by the same command tree before the application starts: exit 2 with picocli's message and usage,
        // and no moment of readiness, which a Service would have sent admissions to.
        PackagedReplica.ExitedBeforeReady exited = assertThrows(PackagedReplica.ExitedBeforeReady.class,
                () -> PackagedReplica.start(List.of(PackagedReplica.JAVA), List.of("-jar", PackagedReplica.JAR),
                        List.of("serve", "--bogus"), Map.of()).close());
        assertEquals(2, exited.exitCode(), exited.getMessage());
        assertTrue(exited.output().contains("Unknown option: '--bogus'"), exited.output());
        assertTrue(exited.output().contains("Usage: probe-rewriter serve"), exited.output());
        assertFalse(exited.output().contains("Listening on"), "the application started:\n" + exited.output());
    }

    @Test
    void theClassDataTrainingServesTheSameWayAndStillFailsTheImageBuildWhenItsAnswerIsWrong() throws Exception {
        // The training prepares itself, then serves as serve does; with rewriting off its admission gets no patch,
        // and the exit code it gives Quarkus must reach the Dockerfile's RUN through ServeApplication.
        Path output = dir.resolve("training.log");
        ProcessBuilder training = new ProcessBuilder(PackagedReplica.JAVA, "-jar", PackagedReplica.JAR,
                "class-data-training").redirectErrorStream(true).redirectOutput(output.toFile());
        training.environment().put("PROBE_REWRITER_MODE", "off");
        Process process = training.start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the training ended");
        String log = Files.readString(output);
        assertEquals(1, process.exitValue(), log);
        assertTrue(log.contains("class-data training: the admission was not answered as expected: no patch"), log);
    }

    private static void assertPatched(PackagedReplica replica, List<String> arguments) throws Exception {
        byte[] review = Files.readAllBytes(Path.of("docs/examples/admission-review.json"));
        HttpResponse<byte[]> response = new WebhookClient(replica.mutate()).post(new String(review,
                StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), arguments + "\n" + replica.tail());
        JsonNode answer = Reviews.response(response);
        assertEquals("JSONPatch", answer.path("patchType").asText(), arguments + ": " + answer);
    }
}
