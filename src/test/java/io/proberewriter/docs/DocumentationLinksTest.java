package io.proberewriter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md and docs/ leads somewhere: the file exists, and a {@code #section} names a heading
 * of the Markdown file it points into, spelt as GitHub makes anchors of headings. The docs cross-reference each other
 * by section (the benchmarks' rounds, the runbooks of the alerts); renaming a heading breaks those links silently.
 */
class DocumentationLinksTest {

    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern LINK_TEXT = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");

    @Test
    void everyRelativeLinkLeadsToAFileAndASectionThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchorsOf = new HashMap<>();
        int checked = 0;
        for (Path document : documents()) {
            Matcher link = LINK.matcher(withoutCode(Files.readString(document)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) {
                    continue; // https:, mailto: and the like are not ours to check offline
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? document : document.resolveSibling(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(document + ": " + target + " (no file " + resolved + ")");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchorsOf.computeIfAbsent(resolved, DocumentationLinksTest::anchorsOfFile)
                                .contains(target.substring(hash + 1))) {
                    broken.add(document + ": " + target + " (no such heading in " + resolved + ")");
                }
            }
        }
        assertTrue(checked > 100, "found only " + checked + " relative links: the link pattern no longer matches");
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    @Test
    void anchorsAreSpeltAsGitHubSpellsThem() {
        assertEquals(Set.of("why-the-goals-are-not-met-and-what-it-would-take", "p99--3-ms-the-floors",
                        "the-cli-one-compiler", "the-cli-one-compiler-1", "over-the-wire-issue-14"),
                anchors("### Why the goals are not met, and what it would take\n## p99 ≤ 3 ms: the floor's\n"
                        + "### The CLI: one compiler\n### The CLI: one compiler\n# Over *the* `wire` (issue 14)\n"
                        + "```\n# a comment in code is no heading\n```\n"));
    }

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    private static Set<String> anchorsOfFile(Path markdown) {
        try {
            return anchors(Files.readString(markdown));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutCode(String markdown) {
        return FENCE.matcher(markdown).replaceAll("");
    }

    /** GitHub's anchors: lower case, punctuation dropped, spaces made hyphens, a repeated one numbered from 1. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        Matcher heading = HEADING.matcher(withoutCode(markdown));
        while (heading.find()) {
            String text = LINK_TEXT.matcher(heading.group(1)).replaceAll("$1").replace("`", "").replace("*", "");
            String anchor = text.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
                    .replace(' ', '-');
            Integer times = seen.merge(anchor, 0, (before, unused) -> before + 1);
            anchors.add(times == 0 ? anchor : anchor + "-" + times);
        }
        return anchors;
    }
}
