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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class-data sharing, as the Dockerfile sets it up, run with this build's fast-jar: the runtime stage's
 * training {@code RUN} (its very words: {@link ImageClassArchive}) must write an archive, and {@code serve}, started
 * with the entrypoint's archive option, must map it and answer from it. No Docker engine
 * exists here; what the image adds around these commands is checked as text in PackagingTest.
 */
class ClassDataSharingIT {

    @TempDir
    static Path dir;
    private static Path archive;
    private static String trainingLog;
    private static Path trainingTemporaryFolder;

    @BeforeAll
    static void train() throws Exception {
        archive = dir.resolve("app-cds.jsa");
        ImageClassArchive.Training training = ImageClassArchive.train(PackagedReplica.JAVA, archive,
                Path.of(PackagedReplica.JAR).getParent().toString());
        trainingLog = training.log();
        trainingTemporaryFolder = training.temporaryFolder();
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
        List<String> java = List.of(PackagedReplica.JAVA, "-XX:MaxRAM=512m", "-XX:ActiveProcessorCount=1",
                "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info:file=" + classes);
        try (PackagedReplica replica = PackagedReplica.start(java, Map.of())) {
            assertPatched(replica);
        }
        List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8);
        long fromArchive = loaded.stream().filter(line -> line.contains("source: shared objects file (top)")).count();
        assertTrue(fromArchive > 3_000, fromArchive + " of " + loaded.size() + " classes from the archive");
        String reader = loaded.stream().filter(line -> line.contains(" " + ReviewCodec.class.getName() + " "))
                .findFirst().orElse(null);
        assertNotNull(reader, "the admission's reader was loaded");
        assertTrue(reader.contains("shared objects file (top)"), "the fast-jar's own classes come from it: " + reader);
    }

    @Test
    void aJvmThatCannotUseTheArchiveServesWithoutIt() throws Exception {
        // Uncompressed pointers (a heap over 32 GiB) do not match the archive's: the JVM must start as if it had none.
        List<String> java = List.of(PackagedReplica.JAVA, "-XX:-UseCompressedOops", "-XX:SharedArchiveFile=" + archive);
        try (PackagedReplica replica = PackagedReplica.start(java, Map.of())) {
            assertPatched(replica);
            assertFalse(replica.tail().contains("Error occurred during initialization"), replica.tail());
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
