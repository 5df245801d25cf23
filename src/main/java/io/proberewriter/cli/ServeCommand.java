package io.proberewriter.cli;

import io.proberewriter.operator.OperatorLauncher;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the admission webhook (the default when no command is given).",
                "HTTPS on 8443 (POST /mutate), health and metrics on the management port 9000.",
                "Settings: docs/configuration.md."})
public final class ServeCommand implements Runnable {

    @Inject
    OperatorLauncher operator;

    /** The servers started with the application; the operator starts here; serving is waiting until told to stop. */
    @Override
    public void run() {
        operator.startWhenApiServerAnswers();
        Quarkus.waitForExit();
    }
}
