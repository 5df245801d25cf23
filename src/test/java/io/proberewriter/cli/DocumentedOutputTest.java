package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.golden.GoldenCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CLI's output quoted in README.md and docs/ is what the CLI prints today: a quote goes stale silently when a
 * default or a wording changes (the exec command's default became the prober, and four quotes still said curl). A
 * {@code …} in a quote stands for text left out.
 *
 * <ul>
 *   <li>A decision line ({@code kind/name container/probe: action: reason}, as {@code rewrite --explain} prints it)
 *       must be a line of some golden case's {@code explain.txt}, which GoldenFilesTest holds to the CLI's output.
 *   <li>A diagnostic line of {@code analyze} ({@code The pod … [FILE, document N, container C] …}) must be a line
 *       of {@code analyze -f FILE} run now; where FILE stands for a file not in the repository, a line of
 *       {@code analyze} on some golden case's input, the file's name aside.
 * </ul>
 */
class DocumentedOutputTest {

    private static final Pattern DECISION = Pattern.compile("^[a-z]+/[\\w.-]+ [\\w.-]+/\\w+: [a-z-]+: .*$");
    private static final Pattern DIAGNOSTIC = Pattern.compile(
            "^The pod .* in namespace .* uses .*\\[(?<file>[^,\\]]+), document \\d+, container [^\\]]+\\] .*$");

    private static List<Path> documents() throws IOException {
        List<Path> out = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    /** The quote as a pattern: literal, but for {@code …}. */
    private static Pattern quoted(String line) {
        StringBuilder regex = new StringBuilder("^");
        for (String part : line.split("…", -1)) {
            if (regex.length() > 1) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.append('$').toString());
    }

    private static boolean anyMatches(Pattern quote, List<String> lines) {
        return lines.stream().anyMatch(l -> quote.matcher(l).matches());
    }

    @Test
    void quotedDecisionLinesAreLinesOfTheGoldenExplanations() throws IOException {
        List<String> explained = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all().toList()) {
            explained.addAll(Files.readAllLines(c.explain()));
        }
        List<String> stale = new ArrayList<>();
        int quotes = 0;
        for (Path document : documents()) {
            List<String> lines = Files.readAllLines(document);
            for (int i = 0; i < lines.size(); i++) {
                if (DECISION.matcher(lines.get(i)).matches()) {
                    quotes++;
                    if (!anyMatches(quoted(lines.get(i)), explained)) {
                        stale.add(document + ":" + (i + 1) + ": " + lines.get(i));
                    }
                }
            }
        }
        assertTrue(quotes >= 10, "decision lines found in the docs: " + quotes);
        assertEquals(List.of(), stale, "quoted decisions that no golden explain.txt holds");
    }

    @Test
    void quotedDiagnosticsAreWhatAnalyzePrints() throws IOException {
        List<String> anyGoldenInput = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all().toList()) {
            CliRun run = CliRun.of("analyze", "-f", c.input().toString());
            run.out().lines().map(l -> l.replace(c.input().toString(), "FILE")).forEach(anyGoldenInput::add);
        }
        List<String> stale = new ArrayList<>();
        int quotes = 0;
        for (Path document : documents()) {
            List<String> lines = Files.readAllLines(document);
            for (int i = 0; i < lines.size(); i++) {
                Matcher diagnostic = DIAGNOSTIC.matcher(lines.get(i));
                if (!diagnostic.matches()) {
                    continue;
                }
                quotes++;
                String file = diagnostic.group("file");
                boolean found = Files.isRegularFile(Path.of(file))
                        ? anyMatches(quoted(lines.get(i)), CliRun.of("analyze", "-f", file).out().lines().toList())
                        : anyMatches(quoted(lines.get(i).replace("[" + file + ",", "[FILE,")), anyGoldenInput);
                if (!found) {
                    stale.add(document + ":" + (i + 1) + ": " + lines.get(i));
                }
            }
        }
        assertTrue(quotes >= 3, "diagnostics found in the docs: " + quotes);
        assertEquals(List.of(), stale, "quoted diagnostics that analyze does not print");
    }
}
