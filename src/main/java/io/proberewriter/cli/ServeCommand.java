package io.proberewriter.cli;

import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the admission webhook (the default when no command is given).",
                "HTTPS on 8443 (POST /mutate), health and metrics on the management port 9000.",
                "Settings: docs/configuration.md."})
public final class ServeCommand implements Runnable {

    /** The servers started with the application; serving is waiting until we are told to stop. */
    @Override
    public void run() {
        Quarkus.waitForExit();
    }
}
