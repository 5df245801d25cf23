package io.proberewriter.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.bench.wire.ShippedRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What users build and run without us: no Docker engine exists here, so the Dockerfile is checked as text, and
 * the README's commands are checked against the files they name and against CI.
 */
class PackagingTest {

    private static final Pattern FROM = Pattern.compile("^FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(\\s+AS\\s+\\S+)?\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    @Test
    void dockerfileBuildsFromSourceWithPinnedImagesAndRunsAsNonRoot() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher from = FROM.matcher(dockerfile);
        List<String> stages = new java.util.ArrayList<>();
        while (from.find()) {
            String image = from.group(1);
            stages.add(image + (from.group(2) == null ? "" : from.group(2).strip().replaceAll("(?i)^AS\\s+", " as ")));
            if (image.equals("scratch")) {
                continue; // the empty image: nothing to pin
            }
            String tag = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "";
            assertTrue(tag.matches(".*\\d+\\.\\d+.*"), "image not pinned to a version: " + image);
            assertFalse(tag.contains("latest"), image);
        }
        // The prober's build and its FROM scratch image, then the webhook's build and runtime; the runtime last, so
        // that a plain docker build still makes the webhook image.
        assertEquals(4, stages.size(), "stages: " + stages);
        assertTrue(stages.contains("scratch as prober"), "a prober target FROM scratch: " + stages);
        assertTrue(stages.get(stages.size() - 1).endsWith(" as webhook"), "the webhook is the default target: " + stages);
        assertTrue(dockerfile.contains("CGO_ENABLED=0"), "the prober is static");
        // Multi-architecture images (docker buildx --platform linux/amd64,linux/arm64): the build stages run on the
        // builder's platform, Go cross-compiles the prober for the image's, and only the runtime stages are per
        // architecture.
        assertTrue(dockerfile.contains("FROM --platform=$BUILDPLATFORM golang:"), "the prober is cross-compiled");
        // The kubelet's TLS and HTTP rules depend on Go's GODEBUG defaults: the build fails unless the binary has
        // Go 1.25's (src/main/go/prober/godebug.go).
        assertTrue(dockerfile.contains("go version -m /out/prober") && dockerfile.contains("grep DefaultGODEBUG"),
                "the prober's GODEBUG defaults are checked");
        assertTrue(dockerfile.contains("GOARCH=\"$arch\"") && dockerfile.contains("arch=\"${TARGETARCH:-"),
                "for the image's architecture, the builder's when BuildKit does not say");
        assertTrue(dockerfile.contains("FROM --platform=$BUILDPLATFORM maven:"), "Maven runs once, not emulated");
        assertFalse(dockerfile.contains("FROM --platform=$BUILDPLATFORM eclipse-temurin"),
                "the runtime is the image's own architecture");
        assertTrue(dockerfile.contains("mvn -B -q package -DskipTests"), "the image is built from source");
        Matcher user = Pattern.compile("^USER\\s+(\\S+)", Pattern.MULTILINE).matcher(dockerfile);
        int users = 0;
        while (user.find()) {
            users++;
            assertTrue(user.group(1).matches("[1-9]\\d*(:\\d+)?"), "numeric non-root user expected, got "
                    + user.group(1));
        }
        assertEquals(2, users, "both images run as a non-root user");
        assertTrue(dockerfile.contains("COPY --from=build --chown=185:0 /src/target/quarkus-app/*.jar ./"),
                "the fast-jar's quarkus-run.jar is there, for java -jar");
        assertTrue(dockerfile.contains("EXPOSE 8443 9000"), "the webhook and management ports");
        assertTrue(dockerfile.contains("CMD [\"serve\"]"), "the image serves by default");
        for (String dir : List.of("lib/", "app/", "quarkus/")) {
            assertTrue(dockerfile.contains("/src/target/quarkus-app/" + dir), "fast-jar layout needs " + dir);
        }
    }

    @Test
    void theClassArchiveIsMadeInTheRuntimeStageByItsOwnJvmBeforeTheUserChanges() throws IOException {
        String dockerfile = Files.readString(ImageClassArchive.DOCKERFILE);
        String runtimeStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        String training = ImageClassArchive.trainingRun(dockerfile);
        int run = runtimeStage.indexOf(training);
        assertTrue(run > 0, "the training runs in the runtime stage, whose JVM alone can use its archive");
        assertTrue(runtimeStage.lastIndexOf("COPY ") < run, "after the fast-jar is in place");
        assertTrue(run < runtimeStage.indexOf("\nUSER "), "as root, who can write /deployments; 185 only reads");
        String archive = ImageClassArchive.imagePath();
        assertTrue(runtimeStage.contains("&& test -s " + archive), "a build whose training wrote nothing fails");
        String deploymentLimit = "-XX:MaxRAM=" + (ShippedRuntime.read().memoryLimitBytes() >> 20) + "m";
        assertTrue(training.contains(deploymentLimit + " "), "the heap sized as in the Deployment, so that compressed "
                + "pointers, which the archive records, match: " + deploymentLimit + " in " + training);
        assertTrue(ImageClassArchive.entrypoint(dockerfile).contains("exec java -XX:SharedArchiveFile=" + archive
                + " "), "every command maps it, before the user's options (-Xshare:off turns it off)");
    }

    @Test
    void theEntrypointTrimsTheNativeHeapBeforeTheUsersOptions() throws IOException {
        // A product flag of the runtime stage's JDK 17.0.15 (not of every older 17); ClassDataSharingIT starts a JVM
        // with it.
        List<String> options = ImageClassArchive.entrypointOptions(Path.of("app-cds.jsa"));
        assertTrue(options.contains("-XX:TrimNativeHeapInterval=5000"), "before $JAVA_OPTS_APPEND, so that "
                + "-XX:TrimNativeHeapInterval=0 there turns it off: " + options);
        String dockerfile = Files.readString(ImageClassArchive.DOCKERFILE);
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17.0.15_"), "a JDK that has the flag");
    }

    @Test
    void theFlatClassPathIsWrittenFromTheFastJarBeforeTheTrainingRunsFromIt() throws IOException {
        String dockerfile = Files.readString(ImageClassArchive.DOCKERFILE);
        String runtimeStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        // launchArgsRun checks that the script is copied where the RUN finds it, and that the training and the
        // entrypoint both hand its argument file to java.
        ImageClassArchive.LaunchArgsRun launchArgs = ImageClassArchive.launchArgsRun(dockerfile);
        int written = runtimeStage.indexOf("RUN sh " + launchArgs.script());
        assertTrue(written > runtimeStage.indexOf("/src/target/quarkus-app/quarkus/"), "from the copied fast-jar");
        assertTrue(written < runtimeStage.indexOf(ImageClassArchive.trainingRun(dockerfile)),
                "before the training, which runs from it and records its class path in the archive");
        assertTrue(launchArgs.argumentFile().startsWith("/deployments/"), launchArgs.argumentFile());
    }

    @Test
    void readmeCommandsNameExistingFilesAndCiRunsTheTestCommand() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("mvn -B verify"), "README's test command");
        Matcher example = Pattern.compile("rewrite -f (docs/examples/\\S+)").matcher(readme);
        assertTrue(example.find(), "README's run command uses an example from docs/examples");
        assertTrue(Files.isRegularFile(Path.of(example.group(1))), example.group(1));
        // The README runs the launcher mvn package writes beside the fast-jar, and the launcher runs the fast-jar.
        assertTrue(readme.contains("mvn -B package -DskipTests && target/probe-rewriter rewrite -f"),
                "README builds and runs the launcher");
        assertTrue(readme.contains("target/probe-rewriter serve"),
                "README documents the command the image runs (serve)");
        String launcher = Files.readString(Path.of("src/main/sh/probe-rewriter"));
        assertTrue(launcher.contains("quarkus-app/quarkus-run.jar") && launcher.contains("-jar"),
                "the launcher runs the fast-jar");
        String ci = Files.readString(Path.of(".ci/run"));
        assertTrue(ci.lines().anyMatch(l -> l.strip().equals("mvn -B verify")), ".ci/run calls mvn -B verify");
    }

    @Test
    void docsLinkedFromTheReadmeExist() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher link = Pattern.compile("\\]\\((docs/[^)#]+)").matcher(readme);
        int links = 0;
        while (link.find()) {
            links++;
            assertTrue(Files.exists(Path.of(link.group(1))), "README links to a missing file: " + link.group(1));
        }
        assertTrue(links >= 5, "README should link the reference docs");
    }
}
