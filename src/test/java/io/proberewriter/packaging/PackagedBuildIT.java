package io.proberewriter.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mvn package} leaves and says, checked after the package phase (failsafe): no Kubernetes manifests
 * under target/ (the Quarkus Kubernetes extension, which quarkus-operator-sdk brings, writes some that look like an
 * install and are not; the pom removes them), and a build log without {@code [WARNING]} lines, so that a new warning
 * is read rather than lost among known ones.
 *
 * <p>The build whose log is read runs in a copy of the sources, never in this project's own directory, where the
 * build running this test is still working.
 */
class PackagedBuildIT {

    private static final Path TARGET = Path.of("target");

    /** Files with these names are what the Kubernetes extension writes (kubernetes, openshift, knative, kind…). */
    private static boolean generatedManifest(Path file) {
        String name = file.getFileName().toString();
        return name.matches("(kubernetes|openshift|knative|kind|minikube|common)\\.(yml|yaml|json)");
    }

    private static List<Path> manifestsUnder(Path target) throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(target.resolve("kubernetes"))) {
            found.add(target.resolve("kubernetes"));
        }
        // Not target/tools (kubectl, helm) nor the test outputs: only what the build itself writes.
        try (Stream<Path> files = Files.walk(target, 3)) {
            files.filter(Files::isRegularFile).filter(PackagedBuildIT::generatedManifest)
                    .filter(f -> !f.startsWith(target.resolve("tools"))).forEach(found::add);
        }
        return found;
    }

    @Test
    void thisBuildLeftNoKubernetesManifests() throws IOException {
        assertTrue(Files.isRegularFile(TARGET.resolve("quarkus-app/quarkus-run.jar")), "runs after the package phase");
        assertEquals(List.of(), manifestsUnder(TARGET), "manifests left by the Quarkus Kubernetes extension");
    }

    @Test
    void packageSaysNoWarningAndLeavesNoManifest(@TempDir Path copy) throws Exception {
        copyTree(Path.of("pom.xml"), copy.resolve("pom.xml"));
        copyTree(Path.of("src/main"), copy.resolve("src/main"));
        String mavenHome = System.getProperty("maven.home", "");
        String mvn = mavenHome.isBlank() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString();
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-o", "package", "-Dmaven.test.skip=true"));
        String repository = System.getProperty("maven.repo.local", "");
        if (!repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        Path log = copy.resolve("build.log");
        Process build = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        build.getOutputStream().close();
        assertTrue(build.waitFor(10, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, build.exitValue(), String.join(" ", command) + " failed:\n" + output);
        assertTrue(output.contains("BUILD SUCCESS"), output);
        List<String> warnings = output.lines().filter(l -> l.startsWith("[WARNING]")).toList();
        assertEquals(List.of(), warnings, "mvn package warns; fix the cause (application.properties, pom.xml)");
        assertTrue(Files.isRegularFile(copy.resolve("target/quarkus-app/quarkus-run.jar")), "the fast-jar");
        assertFalse(Files.exists(copy.resolve("target/kubernetes")), "target/kubernetes after package");
        assertEquals(List.of(), manifestsUnder(copy.resolve("target")), "manifests after package");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path destination = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.createDirectories(destination.getParent());
                    Files.copy(path, destination, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
