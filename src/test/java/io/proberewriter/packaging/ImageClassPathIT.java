package io.proberewriter.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.launcher.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image runs the fast-jar's jars from a flat class path on the JDK's class loader (src/main/sh/image-launch-args),
 * where the fast-jar itself runs them through Quarkus' loader and its index. The two find the same class only if no
 * class is in two jars, but for the classes Quarkus transformed at build time, which must win over the libraries'
 * originals. Checked on this build's {@code target/quarkus-app}: a dependency that one day brings a second copy of a
 * class fails here rather than in a cluster.
 */
class ImageClassPathIT {

    private static final Path APP = Path.of("target/quarkus-app");
    private static final String TRANSFORMED = "quarkus/transformed-bytecode.jar";

    @TempDir
    Path dir;

    @Test
    void theArgumentFileRunsTheLauncherFromEveryJarOfTheFastJar() throws Exception {
        List<String> words = words(dir.resolve("launch.args"));
        assertEquals(Main.class.getName(), words.get(words.size() - 1), "the @QuarkusMain class runs: " + words);
        assertTrue(words.contains("--add-opens=java.base/java.lang=ALL-UNNAMED"),
                "what quarkus-run.jar's manifest opens: " + words);
        assertTrue(words.contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
                "what the fast-jar's entry point sets: " + words);
        List<Path> classPath = classPath(words);
        List<Path> fastJar;
        try (Stream<Path> jars = Files.walk(APP)) {
            fastJar = jars.filter(path -> path.toString().endsWith(".jar"))
                    .filter(path -> !path.getFileName().toString().equals("quarkus-run.jar"))
                    .map(path -> path.toAbsolutePath().normalize()).sorted().toList();
        }
        assertEquals(fastJar, classPath.stream().sorted().toList(), "every jar of the fast-jar, once");
        if (Files.exists(APP.resolve(TRANSFORMED))) {
            assertEquals(APP.resolve(TRANSFORMED).toAbsolutePath().normalize(), classPath.get(0),
                    "Quarkus' transformed classes first");
        }
    }

    @Test
    void noClassIsInTwoJarsButThoseQuarkusTransformed() throws Exception {
        Map<String, List<Path>> jarsOfClass = new TreeMap<>();
        for (Path jar : classPath(words(dir.resolve("launch.args")))) {
            for (String entry : classes(jar)) {
                jarsOfClass.computeIfAbsent(entry, name -> new ArrayList<>()).add(jar);
            }
        }
        Map<String, List<Path>> twice = new LinkedHashMap<>();
        jarsOfClass.forEach((name, jars) -> {
            if (jars.size() > 1 && !jars.get(0).endsWith(TRANSFORMED)) {
                twice.put(name, jars);
            }
        });
        assertEquals(Map.of(), twice, "classes the flat class path would find in whichever jar comes first, where "
                + "the fast-jar's index may pick another");
        assertTrue(jarsOfClass.size() > 5_000, "the class path's classes were read: " + jarsOfClass.size());
    }

    /** The argument file, written as the image's build writes it, split into its words. */
    private static List<String> words(Path file) throws Exception {
        ImageClassArchive.writeLaunchArgs(APP.toString(), file);
        return Arrays.stream(Files.readString(file, StandardCharsets.UTF_8).split("\\s+"))
                .filter(word -> !word.isEmpty()).map(word -> word.replace("\"", "")).toList();
    }

    private static List<Path> classPath(List<String> words) {
        int option = words.indexOf("-cp");
        assertTrue(option >= 0, "a class path is given: " + words);
        return Arrays.stream(words.get(option + 1).split(":")).map(Path::of).toList();
    }

    /** The class files of a jar, versioned ones and module descriptors aside (each jar has its own). */
    private static List<String> classes(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(entry -> entry.getName())
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/")
                            && !name.endsWith("module-info.class"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(jar.toString(), e);
        }
    }
}
