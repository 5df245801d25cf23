package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proberewriter.golden.GoldenCase;
import org.junit.jupiter.api.Test;

/**
 * A probe named in probe-rewriter.io/original-probes but edited back to httpGet on its mTLS port is broken, whatever
 * the record and the status annotation say: analyze reports it, and rewrite puts a true status in place of the old.
 */
class AnalyzeStaleRecordTest {

    private static final String INPUT = GoldenCase.ROOT.resolve("stale-original-probes").resolve("input.yaml")
            .toString();

    @Test
    void analyzeReportsTheProbeTheStaleRecordHid() {
        CliRun run = CliRun.of("analyze", "-f", INPUT);

        assertEquals(ExitCodes.FINDINGS, run.exitCode(), run.out() + run.err());
        assertEquals("The pod pod/stale in namespace stale-record uses liveness probe which is incompatible with mTLS."
                + " Consider disabling the liveness probe or mTLS, or disabling mTLS for the port of the liveness"
                + " probe. [" + INPUT + ", document 1, container web] rewrite would fix it (rewritten-exec): port 8080"
                + " counts as under mTLS (resolver assume-all); now runs the prober's http check of"
                + " 127.0.0.1:8080/healthz ([::1] if 127.0.0.1 refuses) inside the container (mode exec: global default)\n", run.out(),
                "one line: the hand-written exec probe of the other pod is not broken");
        assertEquals("1 probe incompatible with mTLS; 'rewrite' would fix 1 and leave 0 as they are.\n", run.err());
    }
}
