package io.proberewriter.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image's class-data training, read from the Dockerfile rather than copied here, and run with this build's
 * fast-jar ({@code /deployments} being {@code target/quarkus-app}, or the copy of an earlier build a benchmark
 * measures): what ClassDataSharingIT checks and what the wire benchmark measures the shipped runtime with.
 */
public final class ImageClassArchive {

    static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final String IMAGE_APP = "/deployments/";

    /**
     * A training run's end: its exit code, what it printed, and its {@code java.io.tmpdir}, which in the image is the
     * layer's /tmp.
     */
    public record Training(int exitCode, String log, Path temporaryFolder) {
    }

    private ImageClassArchive() {
    }

    /** The archive's path in the image, where the training writes it and the entrypoint maps it (both must agree). */
    public static String imagePath() throws IOException {
        return imagePath(Files.readString(DOCKERFILE));
    }

    private static String imagePath(String dockerfile) {
        String written = option(trainingRun(dockerfile), "-XX:ArchiveClassesAtExit=");
        String mapped = option(entrypoint(dockerfile), "-XX:SharedArchiveFile=");
        if (!written.equals(mapped)) {
            throw new IllegalStateException("the training writes " + written + " but the entrypoint maps " + mapped);
        }
        return written;
    }

    /**
     * The runtime stage's training command, word for word, with {@code java}, where the archive goes and the fast-jar's
     * folder ({@code app}, as the run that maps the archive names it: the archive records the class path, which
     * must match) replaced.
     */
    public static List<String> trainingCommand(String java, Path archive, String app) throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String imageArchive = imagePath(dockerfile);
        List<String> command = new ArrayList<>();
        for (String word : trainingRun(dockerfile).split(" ")) {
            if (word.equals("$JAVA_OPTS_APPEND")) {
                command.addAll(Arrays.asList(javaOptsAppend(dockerfile).split(" ")));
            } else {
                command.add(word.replace("'", "").replace(imageArchive, archive.toString())
                        .replace(IMAGE_APP, app.endsWith("/") ? app : app + "/"));
            }
        }
        command.set(0, java);
        return command;
    }

    /**
     * Runs the training of the fast-jar in {@code app}, with a temporary folder of its own; {@code archive} is
     * written when it ends with 0.
     */
    public static Training train(String java, Path archive, String app) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(trainingCommand(java, archive, app));
        Files.createDirectories(archive.toAbsolutePath().getParent());
        Files.deleteIfExists(archive);
        Path temporary = Files.createTempDirectory(archive.toAbsolutePath().getParent(), "training-tmp");
        command.add(1, "-Djava.io.tmpdir=" + temporary);
        Path log = archive.resolveSibling(archive.getFileName() + ".log");
        Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        training.getOutputStream().close();
        if (!training.waitFor(4, TimeUnit.MINUTES)) {
            training.destroyForcibly();
            training.waitFor(30, TimeUnit.SECONDS);
        }
        String output = String.join(" ", command) + "\n" + Files.readString(log, StandardCharsets.UTF_8);
        return new Training(training.isAlive() ? -1 : training.exitValue(), output, temporary);
    }

    /** The {@code RUN java … class-data-training} of the runtime stage, without the shell's checks after it. */
    static String trainingRun(String dockerfile) {
        Matcher run = Pattern.compile("^RUN (java [^\\n]* class-data-training)\\b", Pattern.MULTILINE)
                .matcher(dockerfile);
        if (!run.find()) {
            throw new IllegalStateException("the Dockerfile runs no class-data training");
        }
        return run.group(1);
    }

    /** The webhook image's ENTRYPOINT as written: the last stage's, after the prober image's. */
    public static String entrypoint(String dockerfile) {
        Matcher line = Pattern.compile("^ENTRYPOINT (.*)$", Pattern.MULTILINE).matcher(dockerfile);
        String last = null;
        while (line.find()) {
            last = line.group(1);
        }
        if (last == null) {
            throw new IllegalStateException("the Dockerfile has no ENTRYPOINT");
        }
        return last;
    }

    private static String javaOptsAppend(String dockerfile) {
        Matcher env = Pattern.compile("JAVA_OPTS_APPEND=\"([^\"]*)\"").matcher(dockerfile);
        if (!env.find()) {
            throw new IllegalStateException("the image sets no JAVA_OPTS_APPEND");
        }
        return env.group(1);
    }

    private static String option(String command, String option) {
        Matcher value = Pattern.compile(Pattern.quote(option) + "([^\\s\"]+)").matcher(command);
        if (!value.find()) {
            throw new IllegalStateException("no " + option + " in " + command);
        }
        return value.group(1);
    }
}
