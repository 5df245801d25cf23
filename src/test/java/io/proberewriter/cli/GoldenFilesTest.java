package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.NamespaceDirectory;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Golden files, Istio style: every folder under {@code src/test/resources/golden} holds an {@code input.yaml}
 * (or {@code input.json}), optional {@code args} (CLI flags, one per line), the {@code expected.yaml} that
 * {@code rewrite} must print, and {@code explain.txt}, the decisions and warnings it must report.
 *
 * <p>Regenerate after an intended change with {@code mvn test -Dtest=GoldenFilesTest -Dgolden.update=true},
 * then review the diff.
 */
class GoldenFilesTest {

    private static final boolean UPDATE = GoldenCase.UPDATE;
    private static final ObjectMapper MODEL = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> rewriteMatchesExpectedOutput() throws IOException {
        return GoldenCase.all().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            CliRun run = CliRun.of(c.rewriteArgs(c.input(), true));
            assertEquals(0, run.exitCode(), "exit code; stderr:\n" + run.err());
            String explain = c.normalize(run.err());
            if (UPDATE) {
                Files.writeString(c.expected(), run.out(), StandardCharsets.UTF_8);
                Files.writeString(c.explain(), explain, StandardCharsets.UTF_8);
            }
            assertEquals(Files.readString(c.expected()), run.out(), "stdout differs from " + c.expected());
            assertEquals(Files.readString(c.explain()), explain, "stderr differs from " + c.explain());
        }));
    }

    /** Every expected output fed back in must come out unchanged: the rewrite is idempotent. */
    @TestFactory
    Stream<DynamicTest> expectedOutputIsAFixedPoint() throws IOException {
        return GoldenCase.all().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            assumeFalse(UPDATE, "expected files are being regenerated");
            CliRun run = CliRun.of(c.rewriteArgs(c.expected(), true));
            assertEquals(0, run.exitCode(), "exit code; stderr:\n" + run.err());
            assertEquals(Files.readString(c.expected()), run.out(), "second rewrite changed " + c.expected());
            assertFalse(run.err().contains(": rewritten-"), "second rewrite rewrote a probe:\n" + run.err());
        }));
    }

    /**
     * The engine's own rewritten pod and the CLI's patched manifest must agree: the JSON patch is a faithful
     * rendering of the engine's edits.
     */
    @TestFactory
    Stream<DynamicTest> patchedManifestEqualsEngineResult() throws IOException {
        return GoldenCase.all().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            assumeFalse(UPDATE, "expected files are being regenerated");
            ManifestReader reader = new ManifestReader();
            List<SourceDocument> inputs = reader.read(c.input().toString(), Files.readString(c.input()));
            List<SourceDocument> outputs = reader.read(c.expected().toString(), Files.readString(c.expected()));
            assertEquals(inputs.size(), outputs.size(), "document count");
            RewriteCommand command = new RewriteCommand();
            new CommandLine(command).parseArgs(c.rewriteArgs(c.input(), false));
            ProbeRewriter engine = command.engine.engine(inputs, warning -> { });
            NamespaceDirectory namespaces = NamespaceDirectory.of(inputs,
                    command.engine.namespaceDefaults(), command.engine.namespace);
            int pods = 0;
            for (int i = 0; i < inputs.size(); i++) {
                List<PodTemplateSite> before = PodTemplates.find(inputs.get(i));
                List<PodTemplateSite> after = PodTemplates.find(outputs.get(i));
                assertEquals(before.size(), after.size());
                for (int s = 0; s < before.size(); s++) {
                    Pod pod = MODEL.treeToValue(before.get(s).template(), Pod.class);
                    String ns = before.get(s).namespace() == null ? command.engine.namespace : before.get(s).namespace();
                    RewriteResult result = engine.rewrite(pod, namespaces.context(ns));
                    Pod expected = MODEL.treeToValue(after.get(s).template(), Pod.class);
                    assertEquals(MODEL.valueToTree(expected), (JsonNode) MODEL.valueToTree(AppliedRewrite.apply(result, pod)),
                            before.get(s).workload());
                    pods++;
                }
            }
            assertTrue(pods > 0 || c.name().startsWith("passthrough"), "a golden case without pods");
        }));
    }
}
