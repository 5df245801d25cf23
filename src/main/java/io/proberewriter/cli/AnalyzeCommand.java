package io.proberewriter.cli;

import io.proberewriter.engine.IncompatibleProbeMessage;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.manifest.DocumentResult;
import io.proberewriter.manifest.ManifestException;
import io.proberewriter.manifest.ManifestFiles;
import io.proberewriter.manifest.ManifestRewriter;
import io.proberewriter.manifest.NamespaceDirectory;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.manifest.WorkloadReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {
                "Report the probes in manifest files that mTLS would break, and what 'rewrite' would do.",
                "One line per probe, in the diagnostic form Istio documented. Changes nothing."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no probe that mTLS breaks was found", "1:at least one was found",
                "2:bad input or bad flags", "3:internal error (please report it)"})
public final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws ManifestException {
        List<SourceDocument> documents = new ManifestFiles().read(input.files, input.recursive, System.in);
        NamespaceDirectory namespaces = NamespaceDirectory.of(documents, engine.namespaceDefaults());
        List<String> mtlsWarnings = new ArrayList<>();
        List<DocumentResult> results = new ManifestRewriter(engine.engine(documents, mtlsWarnings::add), namespaces,
                engine.namespace).rewriteAll(documents);

        List<String> findings = new ArrayList<>();
        int fixed = 0;
        for (DocumentResult result : results) {
            for (WorkloadReport report : result.workloads()) {
                for (ProbeDecision decision : report.result().decisions()) {
                    if (!decision.brokenByMtls()) {
                        continue;
                    }
                    if (decision.action().rewritten()) {
                        fixed++;
                    }
                    findings.add(line(report, decision));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        findings.forEach(out::println);
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        mtlsWarnings.forEach(err::println);
        if (findings.isEmpty()) {
            err.println("No probe that mTLS would break was found.");
        } else {
            err.println(findings.size() + (findings.size() == 1 ? " probe" : " probes")
                    + " incompatible with mTLS; 'rewrite' would fix " + fixed + " and leave "
                    + (findings.size() - fixed) + " as they are.");
        }
        err.flush();
        return findings.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }

    private static String line(WorkloadReport report, ProbeDecision decision) {
        String what = decision.action().rewritten()
                ? "rewrite would fix it (" + decision.action().label() + "): "
                : "rewrite would leave it: ";
        return IncompatibleProbeMessage.format(report.site().workload(), report.namespace(), decision.kind())
                + " [" + report.document().location() + ", container " + decision.container().name() + "] "
                + what + decision.reason();
    }
}
