package io.proberewriter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.json.Mappers;
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
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Report the probes in manifest files that mTLS would break, and what 'rewrite' would do.",
                "One line per probe, in the diagnostic form Istio documented (or, with -o json, one JSON "
                        + "document for pipelines). Changes nothing."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no probe that mTLS breaks was found", "1:at least one was found",
                "2:bad input, bad flags, or output that could not be written",
                "3:internal error (please report it)"})
public final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    EngineOptions engine;

    /** How the findings are printed on stdout. */
    enum OutputFormat {
        TEXT, JSON
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            converter = OutputFormatConverter.class,
            description = "text: one line per probe (default); json: one JSON object with every finding, "
                    + "a summary and the warnings (docs/cli.md).")
    OutputFormat output;

    static final class OutputFormatConverter implements ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            return switch (value) {
                case "text" -> OutputFormat.TEXT;
                case "json" -> OutputFormat.JSON;
                default -> throw new TypeConversionException("'" + value + "' is not an output format: text or json");
            };
        }
    }

    @Override
    public Integer call() throws ManifestException, OutputException {
        List<SourceDocument> documents = new ManifestFiles().read(input.files, input.recursive, System.in);
        NamespaceDirectory namespaces = NamespaceDirectory.of(documents, engine.namespaceDefaults(), engine.namespace);
        List<String> mtlsWarnings = new ArrayList<>();
        List<DocumentResult> results = new ManifestRewriter(engine.engine(documents, mtlsWarnings::add), namespaces,
                engine.namespace).rewriteAll(documents);

        List<AnalysisReport.Finding> findings = new ArrayList<>();
        for (DocumentResult result : results) {
            for (WorkloadReport report : result.workloads()) {
                for (ProbeDecision decision : report.result().decisions()) {
                    if (decision.brokenByMtls()) {
                        findings.add(AnalysisReport.Finding.of(report, decision));
                    }
                }
            }
        }
        AnalysisReport.Summary summary = AnalysisReport.Summary.of(findings);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.JSON) {
            out.println(json(new AnalysisReport(findings, summary, mtlsWarnings)));
        } else {
            findings.forEach(f -> out.println(line(f)));
        }
        // Findings that did not all reach stdout must not read as "none found" or as a complete report.
        OutputException.check(out, "the output");
        PrintWriter err = spec.commandLine().getErr();
        mtlsWarnings.forEach(err::println);
        if (findings.isEmpty()) {
            err.println("No probe that mTLS would break was found.");
        } else {
            err.println(summary.incompatible() + (summary.incompatible() == 1 ? " probe" : " probes")
                    + " incompatible with mTLS; 'rewrite' would fix " + summary.fixed() + " and leave "
                    + summary.left() + " as they are.");
        }
        OutputException.check(err, "to stderr");
        return findings.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }

    private static String json(AnalysisReport report) {
        try {
            return Mappers.TREES.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            // Records of strings, numbers and booleans: nothing here can fail to serialize.
            throw new IllegalStateException("cannot write the analysis as JSON", e);
        }
    }

    private static String line(AnalysisReport.Finding finding) {
        String what = finding.fixed() ? "rewrite would fix it (" + finding.action() + "): "
                : "rewrite would leave it: ";
        return finding.message() + " [" + finding.source() + ", document " + finding.document() + ", container "
                + finding.container() + "] " + what + finding.reason();
    }
}
