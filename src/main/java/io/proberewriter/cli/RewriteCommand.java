package io.proberewriter.cli;

import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProberInjection;
import io.proberewriter.manifest.DocumentResult;
import io.proberewriter.manifest.ManifestException;
import io.proberewriter.manifest.ManifestFiles;
import io.proberewriter.manifest.ManifestRewriter;
import io.proberewriter.manifest.ManifestWriter;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rewrite", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Rewrite the probes that mTLS would break in manifest files, as the webhook would.",
                "Pods and the pod templates of workloads, CronJobs and Lists are rewritten.",
                "Prints every document as YAML on stdout; documents without pods pass through unchanged.",
                "Warnings (invalid annotations, probes left broken by mTLS, commands the image must have) go to stderr."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the manifests were rewritten (or needed nothing)",
                "2:bad input, bad flags, or output that could not be written",
                "3:internal error (please report it)"})
public final class RewriteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    EngineOptions engine;

    @Option(names = "--explain", description = "Also print one line per probe on stderr: what was done and why.")
    boolean explain;

    @Override
    public Integer call() throws ManifestException, OutputException {
        List<SourceDocument> documents = new ManifestFiles().read(input.files, input.recursive, System.in);
        NamespaceDirectory namespaces = NamespaceDirectory.of(documents, engine.namespaceDefaults(), engine.namespace);
        List<String> mtlsWarnings = new ArrayList<>();
        List<DocumentResult> results = new ManifestRewriter(engine.engine(documents, mtlsWarnings::add), namespaces,
                engine.namespace).rewriteAll(documents);
        // Everything is computed before anything is printed: bad input never leaves half a manifest on stdout.
        String yaml = new ManifestWriter().write(results.stream().map(DocumentResult::output).toList());

        PrintWriter err = spec.commandLine().getErr();
        mtlsWarnings.forEach(err::println);
        for (DocumentResult result : results) {
            for (WorkloadReport report : result.workloads()) {
                String who = report.site().workload() + " (" + report.document().location() + ")";
                for (String warning : report.result().warnings()) {
                    err.println("Warning: " + who + ": " + warning);
                }
                // What stays broken is said even without --explain, for every kind of probe and hook; once per
                // probe, where the engine's own warning has not said it already.
                for (ProbeDecision decision : report.result().decisions()) {
                    if (decision.staysBroken() && report.result().warnings().stream()
                            .noneMatch(w -> w.startsWith(decision.key() + " "))) {
                        err.println("Warning: " + who + ": " + decision.key() + " stays broken by mTLS: "
                                + decision.reason());
                    }
                }
                if (explain) {
                    for (ProbeDecision decision : report.result().decisions()) {
                        err.println(report.site().workload() + " " + decision.key() + ": " + decision.action().label()
                                + ": " + decision.reason());
                    }
                    // Not a probe, but a change to the template all the same (a rollout, pulls of another image):
                    // without this line the explanation of a diff that changes an image said nothing of it.
                    report.result().proberInjection().image().ifPresent(update -> err.println(
                            report.site().workload() + " " + ProberInjection.NAME + " init container: image set to "
                                    + update.image() + ", this release's prober, for the prober commands written now"
                                    + " (it runs the older ones too)"));
                }
            }
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.print(yaml);
        // A manifest cut short by a full disk or a file size limit must not look rewritten: exit code 2, not 0.
        OutputException.check(out, "the output");
        OutputException.check(err, "to stderr");
        return ExitCodes.OK;
    }
}
