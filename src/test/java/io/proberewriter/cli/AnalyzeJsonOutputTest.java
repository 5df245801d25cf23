package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proberewriter.golden.GoldenCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code analyze -o json}: the same findings as the text output, field by field, for every golden case; stdout
 * nothing but the JSON document; the exit code and stderr as in text.
 */
class AnalyzeJsonOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIELDS = List.of("source", "document", "workload", "namespace", "template",
            "container", "probe", "action", "fixed", "reason", "message");

    static Stream<String> goldenCases() throws IOException {
        return GoldenCase.all().map(GoldenCase::name);
    }

    private static CliRun analyze(String goldenCase, String... more) throws IOException {
        GoldenCase c = GoldenCase.all().filter(g -> g.name().equals(goldenCase)).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(List.of("analyze", "-f", c.input().toString()));
        args.addAll(c.flags());
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @MethodSource("goldenCases")
    void jsonHoldsWhatTheTextSays(String goldenCase) throws IOException {
        CliRun text = analyze(goldenCase);
        CliRun json = analyze(goldenCase, "-o", "json");
        assertEquals(text.exitCode(), json.exitCode(), json.err());
        assertEquals(text.err(), json.err(), "stderr is the same in both formats");
        JsonNode report = JSON.readTree(json.out());
        JsonNode findings = report.get("findings");
        List<String> lines = text.out().lines().toList();
        assertEquals(lines.size(), findings.size(), json.out());
        int fixed = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode f = findings.get(i);
            List<String> names = new ArrayList<>();
            f.fieldNames().forEachRemaining(names::add);
            assertEquals(FIELDS, names, "fields, in order");
            String what = f.get("fixed").asBoolean()
                    ? "rewrite would fix it (" + f.get("action").asText() + "): " : "rewrite would leave it: ";
            assertEquals(lines.get(i), f.get("message").asText() + " [" + f.get("source").asText() + ", document "
                    + f.get("document").asInt() + ", container " + f.get("container").asText() + "] " + what
                    + f.get("reason").asText());
            assertTrue(lines.get(i).startsWith("The pod " + f.get("workload").asText() + " in namespace "
                    + f.get("namespace").asText() + " uses " + f.get("probe").asText() + " "), lines.get(i));
            fixed += f.get("fixed").asBoolean() ? 1 : 0;
        }
        JsonNode summary = report.get("summary");
        assertEquals(lines.size(), summary.get("incompatible").asInt());
        assertEquals(fixed, summary.get("fixed").asInt());
        assertEquals(lines.size() - fixed, summary.get("left").asInt());
        assertTrue(report.get("warnings").isArray());
        report.get("warnings").forEach(w -> assertTrue(json.err().contains(w.asText()), w.asText()));
    }

    @Test
    void aFindingNamesWhereItsPodTemplateIs() throws IOException {
        CliRun json = analyze("cronjob", "-o", "json");
        JsonNode finding = JSON.readTree(json.out()).get("findings").get(0);
        assertEquals("/spec/jobTemplate/spec/template", finding.get("template").asText(), json.out());
        assertEquals("cronjob/report", finding.get("workload").asText(), json.out());
    }

    @Test
    void nothingFoundIsAnEmptyListAndExitCodeZero() throws IOException {
        CliRun json = analyze("seed-suggested-resolution", "-o", "json");
        assertEquals(ExitCodes.OK, json.exitCode(), json.err());
        JsonNode report = JSON.readTree(json.out());
        assertEquals(0, report.get("findings").size());
        assertEquals(0, report.get("summary").get("incompatible").asInt());
    }

    @Test
    void anUnknownFormatIsABadFlagNamingIt() throws IOException {
        CliRun run = analyze("cronjob", "-o", "yaml");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().contains("'yaml' is not an output format: text or json"), run.err());
    }
}
