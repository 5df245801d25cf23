package io.proberewriter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alerts and dashboard as files: Prometheus accepts the rules ({@code promtool check rules}) and they fire
 * as their runbooks say ({@code promtool test rules} over src/test/resources/monitoring/alerts-test.yaml), each alert
 * links a runbook section that exists, and everything they read that probe-rewriter does not export is one of the API
 * server's metrics. That probe-rewriter exports the rest: {@link ExportedMetricsTest}. promtool comes from Debian's
 * {@code prometheus} package; the promtool tests are skipped without it, except in CI ({@code CI=true}), where
 * .ci/run installs it.
 */
class ShippedAlertsTest {

    private static final Path ALERTS_TEST = Path.of("src/test/resources/monitoring/alerts-test.yaml");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    private static Path promtool() {
        String configured = System.getProperty("promtool.path");
        Path path = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("/usr/bin/promtool");
        String missing = "no executable at " + path + " (or -Dpromtool.path=...); .ci/run installs it: apt-get install"
                + " prometheus";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(Files.isExecutable(path), missing);
        }
        assumeTrue(Files.isExecutable(path), missing);
        return path;
    }

    private static String run(Path dir, String... command) throws Exception {
        Path output = dir.resolve("promtool.out");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String out = Files.readString(output);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    /** The PrometheusRule's spec is a Prometheus rules file: its groups. */
    private static Path rulesFile(Path dir) throws IOException {
        Path rules = dir.resolve("rules.yaml");
        new YAMLMapper().writeValue(rules.toFile(), ShippedMonitoring.prometheusRule().path("spec"));
        return rules;
    }

    @Test
    void prometheusAcceptsTheRules(@TempDir Path dir) throws Exception {
        Path promtool = promtool();
        String out = run(dir, promtool.toString(), "check", "rules", rulesFile(dir).toString());
        assertTrue(out.contains("SUCCESS: " + ShippedMonitoring.alerts().size() + " rules found"), out);
    }

    @Test
    void alertsFireAsTheirRunbooksSay(@TempDir Path dir) throws Exception {
        Path promtool = promtool();
        rulesFile(dir);
        Files.copy(ALERTS_TEST, dir.resolve("alerts-test.yaml"));
        String out = run(dir, promtool.toString(), "test", "rules", "alerts-test.yaml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookSectionThatExists() throws Exception {
        String doc = Files.readString(ShippedMonitoring.OPERATIONS_DOC);
        Set<String> anchors = new HashSet<>();
        Matcher heading = Pattern.compile("(?m)^#{2,4} (.+)$").matcher(doc);
        while (heading.find()) {
            // GitHub's anchor: lower case, punctuation dropped, spaces to hyphens.
            anchors.add(heading.group(1).strip().toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        assertTrue(anchors.contains("alerts-and-runbooks"), ShippedMonitoring.OPERATIONS_DOC + "#alerts-and-runbooks");
        Map<String, JsonNode> alerts = ShippedMonitoring.alerts();
        assertTrue(alerts.size() >= 8, "alerts: " + alerts.keySet());
        for (Map.Entry<String, JsonNode> alert : alerts.entrySet()) {
            String name = alert.getKey();
            JsonNode rule = alert.getValue();
            assertTrue(SEVERITIES.contains(rule.at("/labels/severity").asText()), name + ": severity");
            assertFalse(rule.at("/annotations/summary").asText().isBlank(), name + ": summary");
            assertFalse(rule.at("/annotations/description").asText().isBlank(), name + ": description");
            String anchor = name.toLowerCase();
            assertEquals(ShippedMonitoring.RUNBOOK_BASE + "#" + anchor, rule.at("/annotations/runbook_url").asText(),
                    name + ": runbook_url");
            assertTrue(anchors.contains(anchor), name + ": no section \"### " + name + "\" in "
                    + ShippedMonitoring.OPERATIONS_DOC);
            assertTrue(doc.contains("[`" + name + "`](#" + anchor + ")"), name + " in the table of alerts");
        }
    }

    /** The alerts the issue asks for, each on the series that shows it. */
    @Test
    void theAlertsCoverFailOpenErrorsLatencyCertificatesAndBrokenProbes() {
        Map<String, JsonNode> alerts = ShippedMonitoring.alerts();
        Map<String, String> reads = Map.ofEntries(
                Map.entry("ProbeRewriterFailingOpen", "apiserver_admission_webhook_fail_open_count"),
                Map.entry("ProbeRewriterRejectingPods", "apiserver_admission_webhook_rejection_count"),
                Map.entry("ProbeRewriterApiServerLatencyHigh",
                        "apiserver_admission_webhook_admission_duration_seconds_bucket"),
                Map.entry("ProbeRewriterAdmissionErrors", "probe_rewriter_admissions_total"),
                Map.entry("ProbeRewriterLatencyHigh", "probe_rewriter_admission_duration_seconds_bucket"),
                Map.entry("ProbeRewriterOverloaded", "probe_rewriter_overloaded_requests_total"),
                Map.entry("ProbeRewriterConnectionsRefused", "probe_rewriter_connections_refused_total"),
                Map.entry("ProbeRewriterCertificateExpiresSoon", "probe_rewriter_serving_certificate_expiry_seconds"),
                Map.entry("ProbeRewriterProbesLeftIncompatible", "probe_rewriter_probes_left_incompatible_total"),
                Map.entry("ProbeRewriterPodsWithBrokenProbes", "probe_rewriter_audit_pods_with_broken_probes"),
                Map.entry("ProbeRewriterOperatorNotLeading", "probe_rewriter_operator_leader"),
                Map.entry("ProbeRewriterPortExceptionFight", "probe_rewriter_port_exception_writes_total"));
        reads.forEach((alert, metric) -> {
            assertTrue(alerts.containsKey(alert), "no alert " + alert);
            String expr = alerts.get(alert).path("expr").asText();
            assertEquals(Set.of(metric), ShippedMonitoring.metricNames(expr), alert + ": " + expr);
            if (metric.startsWith("apiserver_")) {
                assertTrue(expr.contains("name=\"probes.probe-rewriter.io\""), alert + " is about this webhook only");
            }
        });
    }

    @Test
    void metricNamesAreFoundInExpressions() {
        assertEquals(Set.of("foo_seconds_bucket", "bar"), ShippedMonitoring.metricNames(
                "histogram_quantile(0.99, sum by (le, pod) (rate(foo_seconds_bucket{name=\"a{b}\",le!=\"1e3\"}[5m])))"
                        + " > 1e3 and on (pod) bar - time() < 14 * 24 * 3600"));
        assertEquals(Set.of("baz_total"), ShippedMonitoring.metricNames(
                "sum without (instance) (increase(baz_total[$__rate_interval]))"));
    }

    /**
     * What the rules and the dashboard read that probe-rewriter does not export: the API server's series, no other.
     * Ours are its own ({@code probe_rewriter_*}) and the operator SDK's ({@code operator_sdk_*}), which the operator
     * exports; {@link ExportedMetricsTest} scrapes both.
     */
    @Test
    void everythingNotOursIsTheApiServersAndTheListIsUsed() {
        Set<String> read = ShippedMonitoring.metricNamesRead();
        Set<String> foreign = new TreeSet<>(read);
        foreign.removeIf(name -> name.startsWith("probe_rewriter_") || name.startsWith("operator_sdk_"));
        assertEquals(ShippedMonitoring.API_SERVER_METRICS, foreign, "metrics read that probe-rewriter does not export");
    }

    /**
     * Grafana imports a dashboard whose layout or thresholds are malformed without a word and draws it wrong (panels
     * stacked at the top, no colours), so the shape it needs is checked here: every panel placed on the 24-column grid
     * with whole numbers and none over another, every threshold list a list of steps from "base" upwards.
     */
    @Test
    void theDashboardPanelsArePlacedAndColouredTheWayGrafanaReadsThem() throws IOException {
        JsonNode dashboard = ShippedMonitoring.dashboard();
        List<int[]> placed = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            JsonNode grid = panel.path("gridPos");
            for (String field : List.of("h", "w", "x", "y")) {
                assertTrue(grid.path(field).isInt(),
                        title + ": gridPos." + field + " is a whole number, not " + grid.path(field));
            }
            int h = grid.path("h").asInt();
            int w = grid.path("w").asInt();
            int x = grid.path("x").asInt();
            int y = grid.path("y").asInt();
            assertTrue(h > 0 && w > 0 && x >= 0 && y >= 0 && x + w <= 24,
                    title + ": inside the 24-column grid, " + grid);
            for (int[] other : placed) {
                boolean apart = x + w <= other[0] || other[0] + other[2] <= x
                        || y + h <= other[1] || other[1] + other[3] <= y;
                assertTrue(apart, title + " overlaps another panel at " + grid);
            }
            placed.add(new int[] {x, y, w, h});
            JsonNode thresholds = panel.at("/fieldConfig/defaults/thresholds");
            if (thresholds.isMissingNode()) {
                continue;
            }
            JsonNode steps = thresholds.path("steps");
            assertTrue(steps.isArray() && !steps.isEmpty(), title + ": thresholds.steps is a list, not " + steps);
            assertTrue(steps.get(0).path("value").isNull(), title + ": the first step is the base (value null)");
            double previous = Double.NEGATIVE_INFINITY;
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i).path("value").isNumber(), title + ": step " + i + " has a number");
                assertTrue(steps.get(i).path("value").asDouble() > previous, title + ": steps rise");
                previous = steps.get(i).path("value").asDouble();
            }
            for (JsonNode step : steps) {
                assertFalse(step.path("color").asText().isEmpty(), title + ": every step has a colour");
            }
        }
    }

    @Test
    void theDashboardShowsWhatOperatorsNeedFromOneFile() throws IOException {
        JsonNode dashboard = ShippedMonitoring.dashboard();
        assertEquals("probe-rewriter", dashboard.path("uid").asText(), "a fixed uid: links to it survive re-imports");
        assertEquals("datasource", dashboard.at("/templating/list/0/name").asText(), "a data source variable");
        Set<Integer> ids = new HashSet<>();
        Set<String> read = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("title"));
            for (JsonNode target : panel.path("targets")) {
                assertEquals("${datasource}", target.at("/datasource/uid").asText(), panel.path("title").asText());
                read.addAll(ShippedMonitoring.metricNames(target.path("expr").asText()));
            }
        }
        for (String metric : List.of("probe_rewriter_admissions_total", "probe_rewriter_admission_duration_seconds_bucket",
                "probe_rewriter_probes_rewritten_total", "probe_rewriter_probes_left_incompatible_total",
                "probe_rewriter_serving_certificate_expiry_seconds", "probe_rewriter_audit_pods_with_broken_probes",
                "probe_rewriter_https_connections", "probe_rewriter_connections_refused_total",
                "probe_rewriter_overloaded_requests_total", "probe_rewriter_request_timeouts_total",
                "probe_rewriter_request_memory_held_bytes", "probe_rewriter_operator_leader",
                "probe_rewriter_port_exception_writes_total", ExportedMetricsTest.RECONCILE_FAILURES,
                "apiserver_admission_webhook_fail_open_count",
                "apiserver_admission_webhook_admission_duration_seconds_bucket")) {
            assertTrue(read.contains(metric), "the dashboard shows " + metric);
        }
        // One copy: the chart reads it (.Files.Get), the kustomize component through the kustomization beside it.
        List<Path> copies = new ArrayList<>();
        for (String root : List.of("k8s", "docs", "src")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                files.filter(f -> f.toString().endsWith(".json")).filter(f -> {
                    try {
                        return Files.readString(f).contains("\"uid\": \"probe-rewriter\"");
                    } catch (IOException e) {
                        return false;
                    }
                }).forEach(copies::add);
            }
        }
        assertEquals(List.of(ShippedMonitoring.DASHBOARD), copies, "copies of the dashboard");
        assertTrue(Files.readString(Path.of("k8s/helm/probe-rewriter/dashboards/kustomization.yaml"))
                .contains("- probe-rewriter.json"), "the component's ConfigMap is generated from that file");
    }
}
