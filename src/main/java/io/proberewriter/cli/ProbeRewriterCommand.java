package io.proberewriter.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

@TopCommand
@Command(name = "probe-rewriter", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Rewrites kubelet HTTP probes that a service mesh's mutual TLS would break:",
                "into exec probes that call the app over localhost, or onto a plaintext health port.",
                "Without a command, serves the admission webhook (see 'serve')."},
        subcommands = {ServeCommand.class, OperateCommand.class, RewriteCommand.class, AnalyzeCommand.class})
public final class ProbeRewriterCommand implements Runnable {

    @Inject
    ServeCommand serve;

    /** No command: serve, as a container image's default command should. */
    @Override
    public void run() {
        serve.run();
    }
}
