package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.golden.GoldenCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --mtls istio} reports only the probes the Istio resolver finds broken: the seeds' Sample 2 breaks
 * the liveness probe, the Suggested Resolution fixes it. The manifests are those of the golden cases.
 */
class AnalyzeMtlsResolverTest {

    @TempDir
    Path dir;

    private static CliRun analyzeGoldenCase(String name, String... flags) {
        Path input = GoldenCase.ROOT.resolve(name).resolve("input.yaml");
        String[] args = new String[flags.length + 3];
        args[0] = "analyze";
        args[1] = "-f";
        args[2] = input.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        return CliRun.of(args);
    }

    @Test
    void sample2ReportsOneFinding() {
        CliRun run = analyzeGoldenCase("seed-sample2-policy-port-8000", "--mtls", "istio",
                "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith("The pod deployment/httpbin in namespace default uses liveness probe which is "
                + "incompatible with mTLS."), run.out());
        assertTrue(run.out().contains("under mTLS by Policy default/httpbin"), run.out());
    }

    @Test
    void suggestedResolutionReportsNothing() {
        CliRun run = analyzeGoldenCase("seed-suggested-resolution", "--mtls", "istio", "--istio-global-mtls",
                "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("No probe that mTLS would break was found."), run.err());
    }

    @Test
    void withIstiosOwnProbeRewriteNothingBreaks() {
        // Modern Istio (the default --istio-rewrites-probes true) sends the kubelet to the pilot-agent instead.
        CliRun run = analyzeGoldenCase("seed-sample2-policy-port-8000", "--mtls", "istio");
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
    }

    @Test
    void byDefaultIstioDecidesWhenTheInputHoldsIstioPolicies() {
        CliRun run = analyzeGoldenCase("seed-sample2-policy-port-8000", "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.err());
        assertTrue(run.out().contains("under mTLS by Policy default/httpbin"), run.out());
        CliRun resolved = analyzeGoldenCase("seed-suggested-resolution", "--istio-global-mtls",
                "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.OK, resolved.exitCode(), resolved.out() + resolved.err());
    }

    @Test
    void byDefaultEveryPortCountsWithoutIstioPolicies() {
        CliRun run = CliRun.of("analyze", "-f", "docs/examples/httpbin.yaml");
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.err());
        assertTrue(run.out().contains("resolver assume-all"), run.out());
    }

    @Test
    void malformedPoliciesAreWarningsNamingTheDocument() throws IOException {
        Path file = dir.resolve("policies.yaml");
        Files.writeString(file, """
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata:
                  name: typo
                spec:
                  mtls:
                    mode: strict
                """);
        CliRun run = CliRun.of("analyze", "-f", file.toString(), "--mtls", "istio");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.err().contains("Warning: " + file + ", document 1 (PeerAuthentication typo): ignored by the "
                + "Istio resolver: PeerAuthentication default/typo: spec.mtls.mode"), run.err());
    }

    @Test
    void unknownResolverNamesTheAcceptedOnes() throws IOException {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        CliRun run = CliRun.of("rewrite", "-f", file.toString(), "--mtls", "linkerd");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.err().contains("accepted: auto, istio, assume-all, annotation"), run.err());
    }
}
