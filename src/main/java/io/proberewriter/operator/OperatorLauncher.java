package io.proberewriter.operator;

import io.javaoperatorsdk.operator.Operator;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Starts the operator next to the webhook. The extension would start it by itself only in an application without
 * a main class of its own; probe-rewriter has one (the picocli commands), so {@code serve} starts it here.
 */
@Singleton
public class OperatorLauncher {

    private static final Logger LOG = Logger.getLogger(OperatorLauncher.class);

    private final ProbeRewriterConfig config;
    private final Instance<Operator> operator;
    private volatile boolean started;

    OperatorLauncher(ProbeRewriterConfig config, Instance<Operator> operator) {
        this.config = config;
        this.operator = operator;
    }

    /** Starts the reconcilers unless configuration turns the operator off. */
    public synchronized void start() {
        if (!config.operator().enabled()) {
            LOG.info("Operator switched off (probe-rewriter.operator.enabled=false): webhook only, nothing is written"
                    + " to the cluster");
            return;
        }
        if (started) {
            return;
        }
        Operator instance = operator.get();
        if (instance.getRegisteredControllersNumber() == 0) {
            LOG.info("Every reconciler is switched off: the operator does not start");
            return;
        }
        instance.start();
        started = true;
    }

    public boolean started() {
        return started;
    }

    void stop(@Observes ShutdownEvent event) {
        if (started) {
            operator.get().stop();
        }
    }
}
