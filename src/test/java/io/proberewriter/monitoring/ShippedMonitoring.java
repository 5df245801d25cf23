package io.proberewriter.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring that ships (k8s/components/monitoring, and the chart's monitoring.*, which HelmChartTest holds equal
 * to it): the PrometheusRule's alerts, the dashboard's queries, and the metric names they read.
 */
final class ShippedMonitoring {

    static final Path RULE = Path.of("k8s/components/monitoring/prometheusrule.yaml");
    static final Path DASHBOARD = Path.of("k8s/helm/probe-rewriter/dashboards/probe-rewriter.json");
    static final Path OPERATIONS_DOC = Path.of("docs/operations.md");
    static final String RUNBOOK_BASE = "https://github.com/probe-rewriter/probe-rewriter/blob/main/docs/operations.md";

    /**
     * The API server's metrics the rules and the dashboard read (filtered to this webhook's name): they count the
     * calls that never reached the webhook. Everything else they read must be exported by probe-rewriter itself.
     */
    static final Set<String> API_SERVER_METRICS = Set.of(
            "apiserver_admission_webhook_fail_open_count",
            "apiserver_admission_webhook_rejection_count",
            "apiserver_admission_webhook_admission_duration_seconds_bucket");

    private static final Set<String> PROMQL_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private ShippedMonitoring() {
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        try {
            return mapper.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static JsonNode prometheusRule() {
        return read(RULE, new YAMLMapper());
    }

    static JsonNode dashboard() {
        return read(DASHBOARD, new ObjectMapper());
    }

    /** Each alerting rule by its name, in the file's order. */
    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode group : prometheusRule().at("/spec/groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put(rule.path("alert").asText(), rule);
            }
        }
        return out;
    }

    /** Every PromQL expression of the rules and of the dashboard's panels. */
    static List<String> expressions() {
        List<String> out = new ArrayList<>();
        alerts().values().forEach(rule -> out.add(rule.path("expr").asText()));
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    /**
     * The metric names a PromQL expression reads: what is left once label matchers, strings, ranges and grouping
     * clauses are taken out, less function names (followed by a parenthesis) and keywords.
     */
    static Set<String> metricNames(String promql) {
        String bare = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String token = m.group();
            boolean partOfNumber = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1));
            boolean function = bare.substring(m.end()).stripLeading().startsWith("(");
            if (!partOfNumber && !function && !PROMQL_KEYWORDS.contains(token.toLowerCase())) {
                names.add(token);
            }
        }
        return names;
    }

    /** Every metric name the shipped rules and dashboard read. */
    static Set<String> metricNamesRead() {
        Set<String> out = new TreeSet<>();
        expressions().forEach(e -> out.addAll(metricNames(e)));
        return out;
    }
}
