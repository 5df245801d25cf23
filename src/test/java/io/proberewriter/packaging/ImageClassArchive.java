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
 * The image's way of starting Java, read from the Dockerfile rather than copied here, and run with this build's
 * fast-jar ({@code /deployments} being {@code target/quarkus-app}, or the copy of an earlier build a benchmark
 * measures): the argument file of its flat class path ({@code src/main/sh/image-launch-args}) and its class-data
 * training. What ClassDataSharingIT checks and what the wire benchmark measures the shipped runtime with.
 */
public final class ImageClassArchive {

    static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final String IMAGE_APP = "/deployments/";

    /** Where the runtime stage copies the script that writes the argument file from. */
    static final Path LAUNCH_ARGS_SCRIPT = Path.of("src/main/sh/image-launch-args");

    /**
     * A training run's end: its exit code, what it printed, its {@code java.io.tmpdir}, which in the image is the
     * layer's /tmp, and what follows {@code java} and its options to run the fast-jar as the image does (the
     * argument file it was trained with).
     */
    public record Training(int exitCode, String log, Path temporaryFolder, List<String> launch) {
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
     * The image's argument file, as its build writes it (the runtime stage's {@code RUN sh … > …}), for the fast-jar
     * in {@code app}: written to {@code argumentFile}, and returned as the word that hands it to {@code java}.
     */
    public static String writeLaunchArgs(String app, Path argumentFile) throws IOException, InterruptedException {
        return writeLaunchArgs(Files.readString(DOCKERFILE), app, argumentFile);
    }

    private static String writeLaunchArgs(String dockerfile, String app, Path argumentFile)
            throws IOException, InterruptedException {
        LaunchArgsRun run = launchArgsRun(dockerfile);
        Files.createDirectories(argumentFile.toAbsolutePath().getParent());
        Path errors = argumentFile.resolveSibling(argumentFile.getFileName() + ".err");
        Process script = new ProcessBuilder("sh", LAUNCH_ARGS_SCRIPT.toString(), app)
                .redirectOutput(argumentFile.toFile()).redirectError(errors.toFile()).start();
        script.getOutputStream().close();
        boolean ended = script.waitFor(30, TimeUnit.SECONDS);
        if (!ended || script.exitValue() != 0) {
            script.destroyForcibly();
            throw new IllegalStateException(run.script() + " " + app + " failed: "
                    + Files.readString(errors, StandardCharsets.UTF_8));
        }
        Files.delete(errors);
        return "@" + argumentFile.toAbsolutePath();
    }

    /**
     * The runtime stage's {@code RUN sh SCRIPT /deployments > FILE}, checked against the {@code COPY} that puts the
     * script there and the argument file the training and the entrypoint hand to {@code java}.
     */
    record LaunchArgsRun(String script, String argumentFile) {
    }

    static LaunchArgsRun launchArgsRun(String dockerfile) {
        Matcher run = Pattern.compile("^RUN sh (\\S+) /deployments > (\\S+)$", Pattern.MULTILINE).matcher(dockerfile);
        if (!run.find()) {
            throw new IllegalStateException("the Dockerfile writes no argument file for java");
        }
        LaunchArgsRun found = new LaunchArgsRun(run.group(1), run.group(2));
        if (!Pattern.compile("^COPY " + Pattern.quote(LAUNCH_ARGS_SCRIPT + " " + found.script()) + "$",
                Pattern.MULTILINE).matcher(dockerfile).find()) {
            throw new IllegalStateException("the Dockerfile does not copy " + LAUNCH_ARGS_SCRIPT + " to "
                    + found.script());
        }
        for (String command : List.of(trainingRun(dockerfile), entrypoint(dockerfile))) {
            if (!command.contains(" @" + found.argumentFile() + " ")) {
                throw new IllegalStateException(command + " does not run java with @" + found.argumentFile());
            }
        }
        return found;
    }

    /**
     * The runtime stage's training command, word for word, with {@code java}, where the archive goes, the argument
     * file and the fast-jar's folder ({@code app}, as the run that maps the archive names it: the archive records the
     * class path, which must match) replaced.
     */
    private static List<String> trainingCommand(String dockerfile, String java, Path archive, String app,
                                                String launchArgs) {
        String imageArchive = imagePath(dockerfile);
        String imageLaunchArgs = "@" + launchArgsRun(dockerfile).argumentFile();
        List<String> command = new ArrayList<>();
        for (String word : trainingRun(dockerfile).split(" ")) {
            if (word.equals("$JAVA_OPTS_APPEND")) {
                command.addAll(Arrays.asList(javaOptsAppend(dockerfile).split(" ")));
            } else if (word.equals(imageLaunchArgs)) {
                command.add(launchArgs);
            } else {
                command.add(word.replace("'", "").replace(imageArchive, archive.toString())
                        .replace(IMAGE_APP, app.endsWith("/") ? app : app + "/"));
            }
        }
        command.set(0, java);
        return command;
    }

    /**
     * Runs the training of the fast-jar in {@code app}, with a temporary folder of its own and the image's argument
     * file beside the archive; {@code archive} is written when it ends with 0.
     */
    public static Training train(String java, Path archive, String app) throws IOException, InterruptedException {
        String dockerfile = Files.readString(DOCKERFILE);
        String launchArgs = writeLaunchArgs(dockerfile, app,
                archive.resolveSibling(archive.getFileName() + ".launch.args"));
        List<String> command = new ArrayList<>(trainingCommand(dockerfile, java, archive, app, launchArgs));
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
        return new Training(training.isAlive() ? -1 : training.exitValue(), output, temporary, List.of(launchArgs));
    }

    /**
     * The options the entrypoint gives every command before its choice of compilers and the user's
     * {@code JAVA_OPTS_APPEND} (the class archive among them, at {@code archive} instead of its place in the image).
     */
    public static List<String> entrypointOptions(Path archive) throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        Matcher options = Pattern.compile("exec java (.*?) \\$compilers ").matcher(entrypoint(dockerfile));
        if (!options.find()) {
            throw new IllegalStateException("the entrypoint gives java no options of its own before $compilers");
        }
        String imageArchive = imagePath(dockerfile);
        return Arrays.stream(options.group(1).split(" ")).map(word -> word.replace(imageArchive, archive.toString()))
                .toList();
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
