package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing (Jazzer) of the CLI's input path, bytes in: read the manifest stream, find the pod
 * templates, rewrite them (with the Istio resolver when the stream holds Istio's policies, as {@code --mtls auto}
 * does) and write the YAML. Bad input must end as a {@link ManifestException} with a message for the user; any other
 * exception is a finding (the CLI would report it as an internal error, exit code 3). What is written must read back
 * and come out of a second rewrite unchanged: the rewrite is idempotent, and its output a manifest of its own.
 *
 * <p>The seed corpus is the golden inputs ({@code src/test/resources/golden/}{@code *}{@code /input.yaml}) plus the
 * files under {@code ManifestFuzzTestInputs/readAndRewrite}; see {@link io.proberewriter.webhook.AdmissionFuzzTest}
 * for how it runs.
 */
class ManifestFuzzTest {

    static Stream<Arguments> goldenInputs() throws Exception {
        return GoldenCase.all().map(golden -> {
            try {
                return Arguments.of((Object) Files.readAllBytes(golden.input()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // Words manifests are made of, so that mutations make meaningful documents rather than noise.
    @DictionaryEntries({"---", "apiVersion: ", "kind: ", "List", "items:", "Deployment", "CronJob", "jobTemplate",
            "template:", "spec:", "metadata:", "annotations:", "containers:", "initContainers:", "livenessProbe:",
            "httpGet:", "port: ", "PeerAuthentication", "security.istio.io/v1", "mtls:", "STRICT", "Namespace",
            "probe-rewriter.io/mode", "probe-rewriter.io/health-port", "- name: ", "null", "{}", "[]", "&a", "*a",
            "!!binary", "<<: "})
    @MethodSource("goldenInputs")
    @FuzzTest(maxDuration = "10m")
    void readAndRewrite(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        String output;
        try {
            output = rewrite(text);
        } catch (ManifestException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().isBlank(), "a ManifestException without a message");
            return;
        }
        // The output is a manifest kubectl would apply: it reads back, and is rewritten to itself (a fixed point, as
        // every golden output is).
        String again = assertDoesNotThrow(() -> rewrite(output), () -> "the output cannot be read back:\n" + output);
        assertEquals(output, again, "rewriting the output changes it");
    }

    private static String rewrite(String text) throws ManifestException {
        List<SourceDocument> documents = new ManifestReader().read("fuzz.yaml", text);
        NamespaceDirectory namespaces = NamespaceDirectory.of(documents, Map.of(), "default");
        ProbeRewriter engine = new ProbeRewriter(GlobalSettings.defaults(), oracle(documents));
        List<DocumentResult> results = new ManifestRewriter(engine, namespaces, "default").rewriteAll(documents);
        String written = new ManifestWriter().write(results.stream().map(DocumentResult::output).toList());
        assertNotNull(written);
        return written;
    }

    private static MtlsOracle oracle(List<SourceDocument> documents) {
        boolean istio = documents.stream().anyMatch(d -> MeshPolicies.isPolicyKind(
                d.content().path("apiVersion").asText(""), d.content().path("kind").asText("")));
        if (!istio) {
            return new AssumeAllMtlsOracle();
        }
        return new IstioMtlsOracle(MeshPolicyDocuments.read(documents, "default", MeshPolicies::builder).policies());
    }
}
