package io.proberewriter.cli;

import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.manifest.WorkloadReport;
import java.util.List;

/**
 * What {@code analyze --output json} prints: one finding per probe that mTLS would break, for pipelines to read
 * (a CI step that annotates a pull request, a dashboard of the manifests left to fix). A contract like the
 * command line: fields are added, never renamed or removed (docs/cli.md).
 *
 * @param findings the probes, in the order of the text output
 * @param summary  the counts the text output prints on stderr
 * @param warnings what the mTLS resolver had to say about the input (also printed on stderr)
 */
record AnalysisReport(List<Finding> findings, Summary summary, List<String> warnings) {

    /**
     * @param source    the file ({@code <stdin>} for standard input)
     * @param document  the document's position in it, from 1
     * @param workload  {@code kind/name}, as the diagnostic names it
     * @param namespace the namespace the pods would be created in
     * @param template  where the pod template is in the document, a JSON pointer ({@code ""} for a Pod)
     * @param container the container that owns the probe
     * @param probe     liveness, readiness, startup, or the lifecycle hook postStart or preStop
     * @param action    what {@code rewrite} would do: rewritten-exec, rewritten-port, or unchanged
     * @param fixed     whether {@code rewrite} would fix it
     * @param reason    why, naming the rule or setting that decided
     * @param message   the diagnostic Istio documented for such a probe
     */
    record Finding(String source, int document, String workload, String namespace, String template,
                   String container, String probe, String action, boolean fixed, String reason, String message) {

        static Finding of(WorkloadReport report, ProbeDecision decision) {
            return new Finding(report.document().source(), report.document().number(), report.site().workload(),
                    report.namespace(), report.site().pointer(), decision.container().name(), decision.kind().word(),
                    decision.action().label(), decision.action().rewritten(), decision.reason(),
                    IncompatibleProbeMessage.format(report.site().workload(), report.namespace(), decision.kind()));
        }
    }

    /**
     * @param incompatible the probes mTLS would break
     * @param fixed        of those, the ones {@code rewrite} would fix
     * @param left         the ones it would leave as they are
     */
    record Summary(int incompatible, int fixed, int left) {
        static Summary of(List<Finding> findings) {
            int fixed = (int) findings.stream().filter(Finding::fixed).count();
            return new Summary(findings.size(), fixed, findings.size() - fixed);
        }
    }
}
