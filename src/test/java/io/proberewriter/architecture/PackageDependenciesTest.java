package io.proberewriter.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of docs/architecture.md, read from the sources' imports: no cycle, the rules pure, and the
 * process the cluster calls free of the operator's code. A class used from its own package needs no import, and a
 * fully qualified name in code is not seen; both are rare enough here that imports tell the structure.
 */
class PackageDependenciesTest {

    private static final Path ROOT = Path.of("src/main/java/io/proberewriter");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)\\.[A-Z]\\w*(?:\\.\\w+)*;",
            Pattern.MULTILINE);
    private static final String OWN = "io.proberewriter.";

    /** Package → the packages of ours it imports. */
    private static final Map<String, Set<String>> ARROWS = new TreeMap<>();
    /** Package → every package it imports, ours and libraries'. */
    private static final Map<String, Set<String>> IMPORTS = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = ROOT.relativize(file.getParent()).toString().replace('/', '.');
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String imported = m.group(1);
                    IMPORTS.computeIfAbsent(pkg, k -> new TreeSet<>()).add(imported);
                    if (imported.startsWith(OWN)) {
                        String ours = imported.substring(OWN.length());
                        // io.proberewriter.audit.PodFinding.Remediation is a nested type: its package is "audit".
                        ours = ours.contains(".") && !ARROWS.containsKey(ours) ? packageOf(ours) : ours;
                        if (!ours.equals(pkg)) {
                            ARROWS.computeIfAbsent(pkg, k -> new TreeSet<>()).add(ours);
                        }
                    }
                }
            }
        }
        assertTrue(ARROWS.size() > 10, "sources not found under " + ROOT.toAbsolutePath());
    }

    private static String packageOf(String name) {
        Path dir = ROOT.resolve(name.replace('.', '/'));
        while (!Files.isDirectory(dir) && name.contains(".")) {
            name = name.substring(0, name.lastIndexOf('.'));
            dir = ROOT.resolve(name.replace('.', '/'));
        }
        return name;
    }

    /**
     * docs/architecture.md draws the arrows twice, in the "Depends on" column of its package table and in the block
     * under "The arrows": both say what the imports say, so that neither goes stale when an import comes or goes.
     */
    @Test
    void theArchitecturePageDrawsTheArrowsTheImportsMake() throws IOException {
        String page = Files.readString(Path.of("docs/architecture.md"));
        Set<String> ours = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.filter(Files::isDirectory).forEach(dir -> ours.add(dir.getFileName().toString()));
        }
        Map<String, Set<String>> imported = new TreeMap<>();
        ARROWS.forEach((from, to) -> {
            if (!to.isEmpty()) {
                imported.put(from, to);
            }
        });

        int arrows = page.indexOf("```\n", page.indexOf("\n### The arrows\n")) + 4;
        Map<String, Set<String>> drawn = new TreeMap<>();
        for (String line : page.substring(arrows, page.indexOf("```", arrows)).split("\n")) {
            Matcher arrow = Pattern.compile("^(\\w+)\\s+->([\\w ]*)").matcher(line);
            assertTrue(arrow.find(), "docs/architecture.md: not an arrow: " + line);
            Set<String> to = new TreeSet<>(List.of(arrow.group(2).trim().split("\\s+")));
            to.remove("");
            if (!to.isEmpty()) {
                drawn.put(arrow.group(1), to);
            }
        }
        assertEquals(imported, drawn, "docs/architecture.md#the-arrows against the imports");

        Map<String, Set<String>> column = new TreeMap<>();
        Matcher row = Pattern.compile("^\\| `(\\w+)` \\|.*\\|([^|]*)\\|$", Pattern.MULTILINE).matcher(
                page.substring(page.indexOf("\n## Packages\n"), page.indexOf("\n### The arrows\n")));
        while (row.find()) {
            Set<String> to = new TreeSet<>();
            Matcher name = Pattern.compile("`(\\w+)`").matcher(row.group(2));
            while (name.find()) {
                if (ours.contains(name.group(1))) {
                    to.add(name.group(1));
                }
            }
            if (!to.isEmpty()) {
                column.put(row.group(1), to);
            }
        }
        assertEquals(imported, column, "docs/architecture.md's \"Depends on\" column against the imports");
    }

    @Test
    void noPackageCycle() {
        List<String> cycles = new ArrayList<>();
        for (String from : ARROWS.keySet()) {
            for (String to : ARROWS.get(from)) {
                if (reaches(to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), cycles, "arrows that lie on a cycle; all arrows: " + ARROWS);
    }

    @Test
    void theRulesArePure() {
        // The rules any reader should find in one place, testable without a cluster, a server or a file.
        for (String pure : List.of("engine", "meshes", "messages", "mtls", "patch", "json", "scope")) {
            for (String imported : IMPORTS.getOrDefault(pure, Set.of())) {
                assertTrue(!imported.startsWith("io.quarkus") && !imported.startsWith("jakarta")
                                && !imported.startsWith("io.fabric8.kubernetes.client")
                                && !imported.startsWith("io.vertx") && !imported.startsWith("java.nio.file")
                                && !imported.startsWith("java.net"),
                        pure + " imports " + imported);
            }
        }
    }

    @Test
    void theServingPathNeedsNoOperatorCode() {
        Set<String> operatorSide = Set.of("operator", "certificates", "portexceptions", "audit");
        for (String serving : List.of("webhook", "tls", "transport", "cluster", "config", "engine", "patch")) {
            Set<String> reached = new TreeSet<>();
            collect(serving, reached);
            reached.retainAll(operatorSide);
            assertEquals(Set.of(), reached, serving + " reaches operator code");
        }
    }

    @Test
    void thePlannersArePureToo() throws IOException {
        for (String planner : List.of("portexceptions/PortExceptionPlanner.java", "certificates/CertificatePlanner.java",
                "audit/PodAudit.java")) {
            String source = Files.readString(ROOT.resolve(planner));
            assertTrue(!source.contains("import io.fabric8.kubernetes.client") && !source.contains("import io.quarkus")
                    && !source.contains("import io.proberewriter.cluster"), planner + " imports client or cluster code");
        }
    }

    private static boolean reaches(String from, String target, Set<String> seen) {
        for (String next : ARROWS.getOrDefault(from, Set.of())) {
            if (next.equals(target) || (seen.add(next) && reaches(next, target, seen))) {
                return true;
            }
        }
        return false;
    }

    private static void collect(String from, Set<String> reached) {
        for (String next : ARROWS.getOrDefault(from, Set.of())) {
            if (reached.add(next)) {
                collect(next, reached);
            }
        }
    }
}
