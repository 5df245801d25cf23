package io.proberewriter.cli;

import io.proberewriter.operator.OperatorLauncher;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

@Command(name = "operate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the operator: certificates and caBundle, port-level mTLS exceptions, audit.",
                "No admission port; health and metrics on the management port 9000. Writes to the cluster from",
                "the replica that holds the Lease. Runs apart from 'serve', under a ServiceAccount of its own.",
                "Settings: docs/configuration.md."})
public final class OperateCommand implements Runnable {

    @Inject
    OperatorLauncher operator;

    /** The reconcilers start once the API server answers; the process then waits until told to stop. */
    @Override
    public void run() {
        operator.startWhenApiServerAnswers();
        Quarkus.waitForExit();
    }
}
