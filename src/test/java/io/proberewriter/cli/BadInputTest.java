package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets exit code 2, a message naming the document and the field, and nothing on stdout. */
class BadInputTest {

    @TempDir
    Path dir;

    private static final String GOOD_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: good
            spec:
              containers:
              - name: app
                image: example/app:1.0
                livenessProbe:
                  httpGet:
                    port: 8080
            """;

    private CliRun rewrite(String content, String... flags) throws IOException {
        Path file = dir.resolve("in.yaml");
        Files.writeString(file, content);
        List<String> args = new ArrayList<>(List.of("rewrite"));
        args.addAll(List.of(flags));
        args.addAll(List.of("-f", file.toString()));
        return CliRun.of(args.toArray(String[]::new));
    }

    private void assertBadInput(CliRun run, String... mentions) {
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertEquals("", run.out(), "nothing may be printed on stdout");
        for (String mention : mentions) {
            assertTrue(run.err().contains(mention), "stderr should mention '" + mention + "':\n" + run.err());
        }
    }

    @Test
    void aDirectoryWithoutManifestsOrWithALinkToNothingIsAnError() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("README.txt"), "not a manifest");
        CliRun none = CliRun.of("analyze", "-f", empty.toString());
        assertBadInput(none, "no .yaml, .yml or .json file in this directory", "-R");
        Path dangling = Files.createDirectories(dir.resolve("dangling"));
        Files.writeString(dangling.resolve("a.yaml"), GOOD_POD);
        Files.createSymbolicLink(dangling.resolve("b.yaml"), dangling.resolve("gone.yaml"));
        assertBadInput(CliRun.of("rewrite", "-f", dangling.toString()), "b.yaml: no such file");
    }

    @Test
    void namesTheApiServerWouldRefuseAreRefusedAsFlags() throws IOException {
        // Each would be written into the output (or stand for a namespace there), and the API server refuse it.
        assertBadInput(rewrite(GOOD_POD, "--mode", "port", "--exclude-annotation="), "is not an annotation key");
        assertBadInput(rewrite(GOOD_POD, "--exclude-annotation", "Bad Key!"), "'Bad Key!' is not an annotation key");
        assertBadInput(rewrite(GOOD_POD, "--exclude-annotation", "-x/y"), "is not an annotation key");
        assertBadInput(rewrite(GOOD_POD, "-n", ""), "is not a namespace name");
        assertBadInput(rewrite(GOOD_POD, "--proxy-container", "Envoy"), "'Envoy' is not a container name");
        assertEquals(ExitCodes.OK, rewrite(GOOD_POD, "--exclude-annotation", "config.linkerd.io/skip-inbound-ports",
                "-n", "shop-2", "--proxy-container", "linkerd-proxy").exitCode());
    }

    @Test
    void aHelmTemplateIsNamedWithWhatToDo() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ include "web.fullname" . }}
                spec:
                  replicas: {{ .Values.replicas }}
                """), "in.yaml: line 4 holds a template action (name: {{ include \"web.fullname\" . }})",
                "this looks like a Helm template; render it first, e.g. helm template RELEASE CHART");
    }

    /** Alerting templates in a ConfigMap's block: {@code {{ }}} at line 7, in a manifest that reads. */
    private static final String ALERTS_CONFIG_MAP = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: alerts
            data:
              message.tmpl: |
                {{ $labels.instance }} is down
            """;

    @Test
    void templatesInsideAValueAreNoHelmTemplate() throws IOException {
        // Alerting templates in a ConfigMap's block: a manifest that reads is never taken for a Helm template.
        CliRun run = rewrite(GOOD_POD + "---\n" + ALERTS_CONFIG_MAP);
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.out().contains("{{ $labels.instance }} is down"), run.out());
    }

    @Test
    void aTemplateInABlockDoesNotHideAnErrorFurtherDown() throws IOException {
        String alerts = ALERTS_CONFIG_MAP + "---\n";
        // A tab where YAML wants spaces, at line 12: the parser's own words are kept beside the template hint.
        assertBadInput(rewrite(alerts + "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n"),
                "line 7 holds a template action", "if it is none, the parser's error: document 2: invalid"
                        + " YAML at line 12");
        // A template action only after the line the parser failed on cannot be what it failed on: no hint at all.
        CliRun run = rewrite("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n---\n" + alerts);
        assertBadInput(run, "in.yaml, document 1: invalid YAML at line 4");
        assertFalse(run.err().contains("Helm"), run.err());
    }

    @Test
    void yamlThatBeginsWithABraceIsReadAsYaml() throws IOException {
        CliRun run = rewrite("{apiVersion: v1, kind: Pod, metadata: {name: flow}, spec: {containers: [{name: app,"
                + " image: 'example/app:1.0', livenessProbe: {httpGet: {port: 8080}}}]}}\n");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.out().contains("name: flow") && run.out().contains("exec:"), run.out());
        // Neither JSON nor YAML: the JSON error, since it began as JSON.
        assertBadInput(rewrite("{\"apiVersion\": \"v1\",, }"), "in.yaml, document 1", "invalid JSON");
    }

    @Test
    void whatIsNotAKubernetesObjectIsNamedByDocument() throws IOException {
        assertBadInput(rewrite("[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 2}]"),
                "in.yaml, document 1: not a Kubernetes object: apiVersion and kind are not set (a JSON Patch"
                        + " operation? give the object it applies to)");
        assertBadInput(rewrite(GOOD_POD + "---\n[1, 2]\n"),
                "in.yaml, document 2: a list, not a Kubernetes object (a JSON Patch? give the object itself)");
        assertBadInput(rewrite(GOOD_POD + "---\nmetadata:\n  name: no-kind\n"),
                "in.yaml, document 2: not a Kubernetes object: apiVersion and kind are not set");
        assertBadInput(rewrite(GOOD_POD + "---\napiVersion: v1\nmetadata:\n  name: no-kind\n"),
                "in.yaml, document 2: not a Kubernetes object: kind is not set");
        assertEquals(ExitCodes.BAD_INPUT, CliRun.of("analyze", "-f", dir.resolve("in.yaml").toString()).exitCode());
    }

    /**
     * kubectl skips an empty document but refuses one holding a quoted empty string ("cannot unmarshal string"; on
     * the separator's line, {@code --- ''}, "invalid Yaml document separator", as any text there): it is refused by
     * name here too, rather than dropped as if it were empty.
     */
    @Test
    void aQuotedEmptyDocumentIsRefusedByNameAsKubectlRefusesIt() throws IOException {
        String hint = "(an empty document is a bare ---, or null, not a quoted string)";
        assertBadInput(rewrite(GOOD_POD + "---\n''\n"), "in.yaml, document 2: the string \"\", not a Kubernetes object "
                + hint);
        assertBadInput(rewrite(GOOD_POD + "--- ''\n"), "in.yaml: invalid YAML at line 12: a document separator (---)"
                + " may be followed only by spaces or a # comment, not \"''\"");
        assertBadInput(rewrite(GOOD_POD + "---\n\"  \"\n"), "in.yaml, document 2: the string \"  \"", hint);
        assertBadInput(rewrite("{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}}\n\"\"\n"),
                "in.yaml, document 2: the string \"\"", hint);
        // What kubectl skips is still no document.
        CliRun empty = rewrite(GOOD_POD + "---\n---\n# only a comment\n---\nnull\n---\n!!null\n---\n!!null ''\n");
        assertEquals(0, empty.exitCode(), empty.err());
    }

    /**
     * kubectl splits the stream on lines that begin with {@code ---} before it parses anything, and allows only
     * spaces and a comment after the three dashes ("invalid Yaml document separator: ..."); YAML itself lets a
     * document begin on that line. Such a source is refused whole, naming the line and what follows the dashes.
     */
    @Test
    void aDocumentOnTheSeparatorLineIsRefusedAsKubectlRefusesIt() throws IOException {
        String rule = "a document separator (---) may be followed only by spaces or a # comment, not ";
        String flow = "{apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: [{name: c, image: i}]}}";
        CliRun sameLine = rewrite(GOOD_POD + "--- " + flow + "\n");
        assertBadInput(sameLine, "in.yaml: invalid YAML at line 12: " + rule + "\"" + flow + "\" (kubectl: invalid Yaml"
                + " document separator); start the document on the next line");
        assertEquals(1, sameLine.err().lines().count(), sameLine.err());
        assertBadInput(rewrite("--- apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"),
                "in.yaml: invalid YAML at line 1: " + rule + "\"apiVersion: v1\"");
        assertBadInput(rewrite(GOOD_POD + "---\n--- !!map\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"),
                "in.yaml: invalid YAML at line 13: " + rule + "\"!!map\"");
        assertBadInput(rewrite(GOOD_POD + "----\n"), "in.yaml: invalid YAML at line 12: " + rule + "\"-\"");
        // A stream of flow mappings looks like JSON: the separator is the answer, not the JSON reader's complaint.
        assertBadInput(rewrite("{apiVersion: v1, kind: Namespace, metadata: {name: a}}\n--- {apiVersion: v1,"
                + " kind: Namespace, metadata: {name: b}}\n"), "in.yaml: invalid YAML at line 2: " + rule);
        // Of two problems, the earlier line's is said.
        assertBadInput(rewrite(GOOD_POD + "---\nkind: Pod\n\tspec: {}\n--- {a: b}\n"),
                "in.yaml, document 2: invalid YAML at line 14, column 1: found character '\\t(TAB)'");
        // A template action above the separator of a source that reads is no Helm template.
        CliRun alerts = rewrite("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rules: |\n"
                + "    summary: {{ $labels.instance }}\n--- " + flow + "\n");
        assertBadInput(alerts, "in.yaml: invalid YAML at line 7: " + rule);
        assertFalse(alerts.err().contains("Helm"), alerts.err());
    }

    /**
     * Spaces and a comment after the dashes are what kubectl allows, and its parser never sees them: a tab, which
     * YAML's own rules refuse there, and a comment without a space before it ({@code ---#}, text to YAML) are a
     * separator too.
     */
    @Test
    void aSeparatorWithSpacesOrACommentIsOne() throws IOException {
        CliRun run = rewrite("---   \n" + GOOD_POD + "--- # the second\n" + GOOD_POD.replace("good", "second")
                + "---\t#\ttabs\r\n" + GOOD_POD.replace("good", "third") + "---#tight\n"
                + GOOD_POD.replace("good", "fourth") + "---\n");
        assertEquals(0, run.exitCode(), run.err());
        for (String name : List.of("name: good", "name: second", "name: third", "name: fourth")) {
            assertTrue(run.out().contains(name), run.out());
        }
    }

    @Test
    void invalidYamlNamesTheDocumentAndLine() throws IOException {
        assertBadInput(rewrite(GOOD_POD + "---\nkind: Pod\nmetadata: {name: x\n"),
                "in.yaml, document 2", "invalid YAML at line");
    }

    /** The parser's problem itself, at its own line and column, on one line: not just what the parser was doing. */
    @Test
    void invalidYamlSaysTheParsersProblem() throws IOException {
        CliRun tab = rewrite("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n\tspec: {}\n");
        assertBadInput(tab, "in.yaml, document 1: invalid YAML at line 5, column 1: found character '\\t(TAB)' that"
                + " cannot start any token");
        assertTrue(tab.err().contains("(while scanning for the next token)"), tab.err());
        CliRun unclosed = rewrite("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web\n"
                + "spec: {}\n");
        assertBadInput(unclosed, "in.yaml, document 1: invalid YAML at line 6, column 5: expected ',' or '}', but got"
                + " : (while parsing a flow mapping at line 5, column 11)");
        for (CliRun run : List.of(tab, unclosed)) {
            assertEquals(1, run.err().lines().count(), "one line:\n" + run.err());
        }
    }

    /** The seeds' Sample 1 as printed: the container's fields after {@code image} are indented like {@code containers}. */
    @Test
    void containerFieldsOnThePodSpecAreRefusedAsKubectlWould() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: extensions/v1beta1
                kind: Deployment
                metadata:
                  name: httpbin
                spec:
                  replicas: 1
                  template:
                    metadata:
                      labels:
                        app: httpbin
                    spec:
                      containers:
                      - image: docker.io/citizenstig/httpbin
                      imagePullPolicy: IfNotPresent
                      name: httpbin
                      ports:
                        - containerPort: 8000
                      livenessProbe:
                        httpGet:
                          path: /status/200
                          port: 8000
                """), "in.yaml, document 1", "deployment/httpbin: spec.template.spec has imagePullPolicy, livenessProbe,"
                + " name, ports, which are fields of a container, not of a pod: indent them under an item of"
                + " spec.template.spec.containers");
        CliRun analyze = CliRun.of("analyze", "-f", dir.resolve("in.yaml").toString());
        assertEquals(ExitCodes.BAD_INPUT, analyze.exitCode(), analyze.err());
    }

    @Test
    void wrongFieldTypeNamesTheField() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      containers:
                      - name: app
                        livenessProbe:
                          periodSeconds: five
                          httpGet:
                            port: 8080
                """), "document 1 (Deployment web)",
                "spec.template.spec.containers[0].livenessProbe.periodSeconds", "expected an integer");
    }

    @Test
    void containersThatAreNotAListAreNamed() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    name: app
                """), "spec.containers", "expected a list");
    }

    @Test
    void aPortNeitherAnIntegerNorAStringIsNamedWithWhatItTakes() throws IOException {
        for (String port : List.of("true", "1.5", "99999999999999999999")) {
            assertBadInput(rewrite("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n"
                    + "    livenessProbe: {httpGet: {port: " + port + "}}\n"),
                    "spec.containers[0].livenessProbe.httpGet.port", "expected an integer or a string, got ");
        }
    }

    @Test
    void aQuotedNumberWhereAnIntegerBelongsIsRefusedAsKubectlDoes() throws IOException {
        assertBadInput(rewrite("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n"
                + "    ports: [{containerPort: \"8080\"}]\n    livenessProbe: {httpGet: {port: 8080}}\n"),
                "spec.containers[0].ports[0].containerPort", "expected an integer, got the string \"8080\"",
                "unquote it");
    }

    @Test
    void aFractionWhereAnIntegerBelongsIsRefusedAndAWholeOneReadAsKubectlSendsIt() throws IOException {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n"
                + "    livenessProbe: {httpGet: {port: 8080}, periodSeconds: %s}\n";
        assertBadInput(rewrite(pod.formatted("1.5")), "spec.containers[0].livenessProbe.periodSeconds",
                "expected an integer, got number 1.5");
        CliRun whole = rewrite(pod.formatted("10.0"));
        assertEquals(0, whole.exitCode(), whole.err());
        assertTrue(whole.out().contains("periodSeconds: 10\n") && !whole.out().contains("10.0"), whole.out());
    }

    @Test
    void unquotedBooleansAndNumbersInStringFieldsAreRefusedAsKubectlDoes() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations:
                    probe-rewriter.io/health-port: 8002
                spec:
                  containers:
                  - name: app
                """), "metadata.annotations.probe-rewriter.io/health-port",
                "expected a string, got number 8002", "quote it");
        assertBadInput(rewrite("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: off\n"),
                "spec.containers[0].name", "expected a string, got boolean false");
    }

    @Test
    void nullListItemsAreReadAsTheApiServerDecodesThemAndStayInPlace() throws IOException {
        // An empty "- " item is a null: the API server makes it a zero value and keeps its index, and so must we (the
        // engine crashed on it, and the patch must still address the document's own items).
        CliRun run = rewrite("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                  - name: app
                    image: example/app:1.0
                    ports:
                    -
                    - name: http
                      containerPort: 8080
                    livenessProbe:
                      httpGet:
                        port: http
                  - name: headers
                    image: example/app:1.0
                    livenessProbe:
                      httpGet:
                        port: 8081
                        httpHeaders:
                        -
                  - name: other
                    image: example/app:1.0
                    ports: [null]
                    readinessProbe:
                      httpGet:
                        port: web
                """, "--mtls=assume-all");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.out().contains("    ports:\n    - null\n    - name: http\n"), run.out());
        assertTrue(run.out().contains("- --port\n        - \"8080\"\n"),
                "the probe on http must be converted:\n" + run.out());
        assertTrue(run.err().contains("port name \"web\" is not a port of container other"), run.err());
        assertTrue(run.err().contains("headers/liveness probe stays broken by mTLS: httpHeaders[0] has no valid header"
                + " name"), run.err());
    }

    @Test
    void anAnnotationWithoutAValueIsTheEmptyStringTheWebhookWouldSee() throws IOException {
        CliRun run = rewrite(GOOD_POD.replace("  name: good\n", "  name: good\n  annotations:\n"
                + "    probe-rewriter.io/mode:\n"), "--mtls=assume-all");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.err().contains("pod annotation probe-rewriter.io/mode=\"\" is invalid"), run.err());
    }

    @Test
    void workloadWithoutPodTemplate() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                """), "document 1 (Deployment web)", "spec.template is missing");
    }

    /** A LimitRange is read (the init container is fitted to it): one kubectl would refuse names its field. */
    @Test
    void limitRangeOfTheWrongShape() throws IOException {
        assertBadInput(rewrite(limitRange("""
                  limits:
                  - type: Container
                    max: {cpu: 1}
                  - type: 5
                """)), "document 1 (LimitRange limits)", "spec.limits[1].type: expected a string, got number 5");
        assertBadInput(rewrite(limitRange("  limits: Container\n")),
                "spec.limits: expected a list, got the string \"Container\"");
    }

    private static String limitRange(String spec) {
        return "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: limits\nspec:\n" + spec;
    }

    @Test
    void cronJobWithoutPodSpec() throws IOException {
        assertBadInput(rewrite("""
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: c
                spec:
                  jobTemplate:
                    spec:
                      template:
                        metadata: {}
                """), "spec.jobTemplate.spec.template.spec is missing");
    }

    @Test
    void badDocumentAfterGoodOnesPrintsNothing() throws IOException {
        assertBadInput(rewrite(GOOD_POD + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: 42\n"),
                "document 2 (Pod bad)", "spec");
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        assertBadInput(rewrite("apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n"),
                "Duplicate field 'kind'");
    }

    @Test
    void malformedJson() throws IOException {
        assertBadInput(rewrite("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", "), "invalid JSON");
    }

    @Test
    void listItemsThatAreNotAList() throws IOException {
        assertBadInput(rewrite("apiVersion: v1\nkind: List\nitems: {a: 1}\n"), "items", "expected a list");
    }

    @Test
    void missingFile() {
        assertBadInput(CliRun.of("rewrite", "-f", dir.resolve("nope.yaml").toString()), "nope.yaml: no such file");
    }

    @Test
    void badFlagValuesNameTheAcceptedValues() throws IOException {
        Path file = dir.resolve("in.yaml");
        Files.writeString(file, GOOD_POD);
        assertBadInput(CliRun.of("rewrite", "-f", file.toString(), "--mode", "fast"), "accepted: exec, port, off");
        assertBadInput(CliRun.of("rewrite", "-f", file.toString(), "--exec-command", "httpie"), "accepted: curl, wget");
        assertBadInput(CliRun.of("analyze", "-f", file.toString(), "--probes", "liveness,health"),
                "accepted: liveness, readiness, startup");
        assertBadInput(CliRun.of("rewrite"), "Missing required option");
    }

    @Test
    void analyzeExitCodes() throws IOException {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, GOOD_POD);
        CliRun found = CliRun.of("analyze", "-f", broken.toString());
        assertEquals(ExitCodes.FINDINGS, found.exitCode(), found.err());
        assertTrue(found.out().startsWith("The pod pod/good in namespace default uses liveness probe which is "
                + "incompatible with mTLS. Consider disabling the liveness probe or mTLS, or disabling mTLS for the "
                + "port of the liveness probe."), found.out());
        assertTrue(found.out().contains("rewrite would fix it (rewritten-exec)"), found.out());

        Path off = dir.resolve("off.yaml");
        Files.writeString(off, GOOD_POD.replace("  name: good\n", "  name: good\n  annotations: {probe-rewriter.io/mode: \"off\"}\n"));
        CliRun stillBroken = CliRun.of("analyze", "-f", off.toString());
        assertEquals(ExitCodes.FINDINGS, stillBroken.exitCode());
        assertTrue(stillBroken.out().contains("rewrite would leave it: port 8080"), stillBroken.out());

        // A tcpSocket probe under mTLS passes at the sidecar whatever the app does: reported, and fixed by the prober.
        Path hollow = dir.resolve("hollow.yaml");
        Files.writeString(hollow, GOOD_POD.replace("httpGet:", "tcpSocket:"));
        CliRun tcp = CliRun.of("analyze", "-f", hollow.toString());
        assertEquals(ExitCodes.FINDINGS, tcp.exitCode(), tcp.out() + tcp.err());
        assertTrue(tcp.out().contains("passes even when the app is gone"), tcp.out());

        Path fine = dir.resolve("fine.yaml");
        Files.writeString(fine, GOOD_POD.replace("httpGet:\n        port: 8080", "exec:\n        command: [cat, /tmp/ok]"));
        CliRun clean = CliRun.of("analyze", "-f", fine.toString());
        assertEquals(ExitCodes.OK, clean.exitCode(), clean.out() + clean.err());
        assertEquals("", clean.out());

        assertBadInput(CliRun.of("analyze", "-f", dir.resolve("missing.yaml").toString()), "no such file");
    }

    @Test
    void directoriesAreReadInNameOrder() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("manifests/nested"));
        Files.writeString(dir.resolve("manifests/b.yaml"), GOOD_POD.replace("name: good", "name: second"));
        Files.writeString(dir.resolve("manifests/a.yml"), GOOD_POD.replace("name: good", "name: first"));
        Files.writeString(dir.resolve("manifests/notes.txt"), "not a manifest");
        Files.writeString(sub.resolve("c.json"), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"third\"}}");
        CliRun flat = CliRun.of("rewrite", "-f", dir.resolve("manifests").toString());
        assertEquals(0, flat.exitCode(), flat.err());
        assertTrue(flat.out().indexOf("name: first") < flat.out().indexOf("name: second"), flat.out());
        assertTrue(!flat.out().contains("third"), flat.out());
        CliRun recursive = CliRun.of("rewrite", "-R", "-f", dir.resolve("manifests").toString());
        assertTrue(recursive.out().contains("name: third"), recursive.out());
    }
}
