package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest kubectl applies is rewritten, whatever YAML 1.1 it is written in: {@code readOnly: y} and
 * {@code defaultMode: 0o644} are what kubectl reads them as (a boolean, 420), not strings refused where a boolean or
 * an integer belongs; aliases are resolved; and the output says the same to kubectl.
 */
class YamlAsKubectlReadsItTest {

    @TempDir
    Path dir;

    @Test
    void yamlOneOneScalarsAndAliasesAreReadAsKubectlReadsThem() throws Exception {
        Path file = dir.resolve("pod.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: {build: "1e3", ticket: "0x10"}}
                spec:
                  volumes: [{name: config, configMap: {name: c, defaultMode: 0o644}}]
                  containers:
                  - name: app
                    image: example/app:1.0
                    ports: [{containerPort: &port 8080}]
                    volumeMounts: [{name: config, mountPath: /config, readOnly: y}]
                    livenessProbe: {httpGet: {path: /healthz, port: *port}}
                """);
        CliRun run = CliRun.of("rewrite", "-f", file.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("defaultMode: 420"), run.out());
        assertTrue(run.out().contains("readOnly: true"), run.out());
        assertTrue(run.out().contains("build: \"1e3\""), run.out());
        assertTrue(run.out().contains("ticket: \"0x10\""), run.out());
        assertTrue(run.out().contains("- /probe-rewriter/prober\n        - http\n        - --port\n        - \"8080\""),
                run.out());
    }
}
