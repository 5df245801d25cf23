package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.packaging.ImageClassArchive;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class-data sharing, as the Dockerfile sets it up, run with this build's fast-jar: the runtime stage's
 * argument file and training {@code RUN} (their very words: {@link ImageClassArchive}) must write an archive, and
 * {@code serve} and the CLI, started as the entrypoint starts them (the archive, the flat class path), must map it and
 * work from it. No Docker engine exists here; what the image adds around these commands is checked as text in
 * PackagingTest.
 */
class ClassDataSharingIT {

    @TempDir
    static Path dir;
    private static Path archive;
    private static String trainingLog;
    private static Path trainingTemporaryFolder;
    private static List<String> launch;

    @BeforeAll
    static void train() throws Exception {
        archive = dir.resolve("app-cds.jsa");
        ImageClassArchive.Training training = ImageClassArchive.train(PackagedReplica.JAVA, archive,
                Path.of(PackagedReplica.JAR).getParent().toString());
        trainingLog = training.log();
        trainingTemporaryFolder = training.temporaryFolder();
        launch = training.launch();
        assertEquals(0, training.exitCode(), trainingLog);
    }

    @Test
    void theTrainingRunAnswersItsAdmissionAndWritesTheArchiveQuietly() throws IOException {
        assertTrue(trainingLog.contains("class-data training: admission answered with a patch"), trainingLog);
        assertTrue(Files.size(archive) > 8 << 20, "an archive of thousands of classes: " + Files.size(archive));
        assertEquals(List.of(), trainingLog.lines().filter(line -> line.matches("^\\[[0-9.]+s]\\[.*")).toList(),
                "the JVM's notes on classes it skips stay out of the image build's log");
    }

    @Test
    void theTrainingLeavesNothingInTheImagesTemporaryFolder() throws IOException {
        try (var left = Files.walk(trainingTemporaryFolder)) {
            // What the JVM itself keeps there while it runs (hsperfdata_<user>) it removes at exit, like the rest.
            assertEquals(List.of(), left.filter(path -> !path.equals(trainingTemporaryFolder))
                    .map(path -> trainingTemporaryFolder.relativize(path).toString()).toList(),
                    "left in the image layer by the training (a throwaway private key among them, if any)");
        }
    }

    @Test
    void servingMapsTheArchiveAndAnswersFromIt() throws Exception {
        Path classes = dir.resolve("classes.log");
        // -Xshare:on: a JVM that cannot map the archive refuses to start, rather than quietly starting without it.
        // The entrypoint's own options, the archive among them: this JVM must take every one of them.
        List<String> java = new ArrayList<>(List.of(PackagedReplica.JAVA, "-XX:MaxRAM=512m",
                "-XX:ActiveProcessorCount=1"));
        java.addAll(ImageClassArchive.entrypointOptions(archive));
        java.addAll(List.of("-Xshare:on", "-Xlog:class+load=info:file=" + classes));
        assertTrue(java.contains("-XX:SharedArchiveFile=" + archive), "the entrypoint maps the archive: " + java);
        try (PackagedReplica replica = PackagedReplica.start(java, launch, Map.of())) {
            assertPatched(replica);
        }
        List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8);
        // The JDK's classes come from its own archive, the application's from the image's (top) over it: from the
        // flat class path nearly all of them (95% when measured; through the fast-jar's loader, 77%).
        long shared = loaded.stream().filter(line -> line.contains("source: shared objects file")).count();
        long fromArchive = loaded.stream().filter(line -> line.contains("source: shared objects file (top)")).count();
        assertTrue(shared > 0.9 * loaded.size(), shared + " of " + loaded.size() + " classes shared");
        assertTrue(fromArchive > 5_000, fromArchive + " of " + loaded.size() + " classes from the image's archive");
        String reader = loaded.stream().filter(line -> line.contains(" " + ReviewCodec.class.getName() + " "))
                .findFirst().orElse(null);
        assertNotNull(reader, "the admission's reader was loaded");
        assertTrue(reader.contains("shared objects file (top)"), "the fast-jar's own classes come from it: " + reader);
    }

    @Test
    void aJvmThatCannotUseTheArchiveServesWithoutIt() throws Exception {
        // Uncompressed pointers (a heap over 32 GiB) do not match the archive's: the JVM must start as if it had none.
        List<String> java = List.of(PackagedReplica.JAVA, "-XX:-UseCompressedOops", "-XX:SharedArchiveFile=" + archive);
        try (PackagedReplica replica = PackagedReplica.start(java, launch, Map.of())) {
            assertPatched(replica);
            assertFalse(replica.tail().contains("Error occurred during initialization"), replica.tail());
        }
    }

    @Test
    void theCliRunsFromTheArchiveAsTheFastJarRunsIt() throws Exception {
        // The image's offline command, as its entrypoint runs it (C1 alone): the same output and exit code as the
        // README's fast-jar, for a rewrite and for a manifest it refuses.
        List<String> image = List.of(PackagedReplica.JAVA, "-XX:SharedArchiveFile=" + archive, "-Xshare:on",
                "-XX:TieredStopAtLevel=1");
        List<String> fastJar = List.of(PackagedReplica.JAVA, "-XX:TieredStopAtLevel=1", "-jar", PackagedReplica.JAR);
        Path refused = dir.resolve("refused.yaml");
        Files.writeString(refused, "apiVersion: v1\nkind: Pod\nmetadata: [not, a, map]\n");
        for (List<String> args : List.of(List.of("rewrite", "-f", "docs/examples/httpbin.yaml"),
                List.of("analyze", "-f", "docs/examples/httpbin.yaml"), List.of("rewrite", "-f", refused.toString()))) {
            Cli fromImage = Cli.run(image, launch, args);
            Cli fromJar = Cli.run(fastJar, List.of(), args);
            assertEquals(fromJar, fromImage, String.join(" ", args));
        }
        assertTrue(Cli.run(image, launch, List.of("rewrite", "-f", "docs/examples/httpbin.yaml")).out()
                .contains("exec"), "the example's probes are rewritten");
    }

    /** An offline command's exit code, output and errors. */
    private record Cli(int exitCode, String out, String err) {
        static Cli run(List<String> java, List<String> launch, List<String> args) throws Exception {
            List<String> command = new ArrayList<>(java);
            command.addAll(launch);
            command.addAll(args);
            Path out = dir.resolve("cli.out");
            Path err = dir.resolve("cli.err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            assertTrue(process.waitFor(2, TimeUnit.MINUTES), "finished: " + command);
            return new Cli(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    private static void assertPatched(PackagedReplica replica) throws Exception {
        byte[] review = Files.readAllBytes(Path.of("docs/examples/admission-review.json"));
        HttpResponse<byte[]> response = new WebhookClient(replica.mutate()).post(new String(review,
                StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), replica.tail());
        JsonNode answer = Reviews.response(response);
        assertEquals("JSONPatch", answer.path("patchType").asText(), answer + "\n" + replica.tail());
    }
}
