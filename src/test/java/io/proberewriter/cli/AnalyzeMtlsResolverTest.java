package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.golden.GoldenCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code analyze} with the Istio resolver reports only the probes Istio leaves broken: the seeds' Sample 1 and 2
 * break the liveness probe, the Suggested Resolution fixes it, with no flags, because v1alpha1 policies without
 * PeerAuthentication (or Istio 0.8's global switch) mean a mesh from before Istio rewrote probes itself. The
 * manifests are those of the golden cases.
 */
class AnalyzeMtlsResolverTest {

    private static final String DIAGNOSTIC = "The pod deployment/httpbin in namespace default uses liveness probe which"
            + " is incompatible with mTLS. Consider disabling the liveness probe or mTLS, or disabling mTLS for the port"
            + " of the liveness probe.";

    @TempDir
    Path dir;

    private static CliRun analyzeGoldenCase(String name, String... flags) {
        return analyze(GoldenCase.ROOT.resolve(name).resolve("input.yaml"), flags);
    }

    private static CliRun analyze(Path input, String... flags) {
        String[] args = new String[flags.length + 3];
        args[0] = "analyze";
        args[1] = "-f";
        args[2] = input.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        return CliRun.of(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed-sample1-meshpolicy", "seed-sample1-global-mtls", "seed-sample2-policy-port-8000"})
    void theSeedsFailingSamplesAsWrittenReportTheSeedsDiagnostic(String sample) {
        CliRun run = analyzeGoldenCase(sample);
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith(DIAGNOSTIC), run.out());
        assertTrue(run.out().contains("Istio does not rewrite this pod's HTTP probes (the mesh default: a mesh from"
                + " before Istio rewrote probes: "), run.out());
        assertTrue(run.out().contains("rewrite would fix it (rewritten-exec)"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed-suggested-resolution", "seed-suggested-resolution-sample2"})
    void theSuggestedResolutionAsWrittenReportsNothing(String resolution) {
        CliRun run = analyzeGoldenCase(resolution);
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("No probe that mTLS would break was found."), run.err());
    }

    @Test
    void aSettingSaysOtherwiseThanTheEra() {
        CliRun run = analyzeGoldenCase("seed-sample2-policy-port-8000", "--istio-rewrites-probes", "true");
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
    }

    @Test
    void theInjectorsValuesBeatTheSetting() throws IOException {
        Path file = dir.resolve("with-injector.yaml");
        Files.writeString(file, Files.readString(GoldenCase.ROOT.resolve("seed-sample2-policy-port-8000/input.yaml"))
                + """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: istio-system}
                data:
                  values: '{"sidecarInjectorWebhook":{"rewriteAppHTTPProbe":true}}'
                """);
        CliRun run = analyze(file, "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
        CliRun rewrite = CliRun.of("rewrite", "-f", file.toString(), "--istio-rewrites-probes", "false", "--explain");
        assertTrue(rewrite.err().contains("Istio rewrites this pod's HTTP probes (the mesh default:"
                + " sidecarInjectorWebhook.rewriteAppHTTPProbe: true in ConfigMap istio-system/istio-sidecar-injector)"),
                rewrite.err());
    }

    @Test
    void withIstiosOwnProbeRewriteNothingBreaks() throws IOException {
        // A current mesh (PeerAuthentication), nothing read of the injector: Istio's default, the pilot-agent probes.
        Path file = dir.resolve("current.yaml");
        Files.writeString(file, Files.readString(GoldenCase.ROOT.resolve("seed-sample1-httpbin/input.yaml")) + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: istio-system}
                spec: {mtls: {mode: STRICT}}
                """);
        CliRun run = analyze(file);
        assertEquals(ExitCodes.OK, run.exitCode(), run.out() + run.err());
        CliRun off = analyze(file, "--istio-rewrites-probes", "false");
        assertEquals(ExitCodes.FINDINGS, off.exitCode(), off.out() + off.err());
        assertTrue(off.out().contains("(the mesh default: --istio-rewrites-probes=false; no ConfigMap"
                + " istio-system/istio-sidecar-injector was read)"), off.out());
    }

    @Test
    void unreadableInjectorValuesAreWarningsNamingTheDocument() throws IOException {
        Path file = dir.resolve("bad-injector.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: istio-system}
                data:
                  values: '{"sidecarInjectorWebhook": '
                """);
        CliRun run = CliRun.of("analyze", "-f", file.toString(), "--mtls", "istio");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        assertTrue(run.err().contains("Warning: " + file + ", document 1 (ConfigMap istio-sidecar-injector): ignored by"
                + " the Istio resolver: ConfigMap istio-system/istio-sidecar-injector: data.values is not readable"),
                run.err());
    }

    @Test
    void byDefaultEveryPortCountsWithoutIstioPolicies() {
        CliRun run = CliRun.of("analyze", "-f", "docs/examples/httpbin.yaml");
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.err());
        assertTrue(run.out().contains("resolver assume-all"), run.out());
    }

    /**
     * A cluster dump holds the port exceptions probe-rewriter's operator wrote: they are no input, so they neither
     * choose the istio resolver nor exempt a port, and the input is judged as without them.
     */
    @Test
    void ourOwnPortExceptionsInTheInputDoNotChooseTheIstioResolver() throws IOException {
        Path file = dir.resolve("dump.yaml");
        Files.writeString(file, Files.readString(Path.of("docs/examples/httpbin.yaml")) + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: probe-rewriter-deployment-httpbin
                  namespace: default
                  labels: {app.kubernetes.io/managed-by: probe-rewriter}
                spec:
                  selector: {matchLabels: {app: httpbin}}
                  mtls: {mode: UNSET}
                  portLevelMtls:
                    "8000": {mode: PERMISSIVE}
                """);
        CliRun run = analyze(file);
        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.out() + run.err());
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
