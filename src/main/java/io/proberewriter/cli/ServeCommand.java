package io.proberewriter.cli;

import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.Dependent;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the admission webhook (the default when no command is given).",
                "HTTPS on 8443 (POST /mutate), health and metrics on the management port 9000.",
                "Reads the cluster, never writes to it: the operator is 'operate'.",
                "Settings: docs/configuration.md."})
@Dependent
public final class ServeCommand implements Runnable {

    /** The servers and informers started with the application; serving is waiting until told to stop. */
    @Override
    public void run() {
        Quarkus.waitForExit();
    }
}
