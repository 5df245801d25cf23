package io.proberewriter.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Starts the operator in its own process ({@code operate}), apart from the webhook's. The extension would start it by
 * itself only in an application without a main class of its own; probe-rewriter has one (the picocli commands), so
 * {@code operate} starts it here.
 */
@Singleton
public class OperatorLauncher {

    private static final Logger LOG = Logger.getLogger(OperatorLauncher.class);

    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final ProbeRewriterConfig config;
    private final Instance<Operator> operator;
    private final Instance<KubernetesClient> client;
    private final LeaderElection leaderElection;
    private final Leadership leadership;
    private final MeterRegistry registry;
    private volatile boolean started;

    OperatorLauncher(ProbeRewriterConfig config, Instance<Operator> operator, Instance<KubernetesClient> client,
                     LeaderElection leaderElection, Leadership leadership, MeterRegistry registry) {
        this.config = config;
        this.operator = operator;
        this.client = client;
        this.leaderElection = leaderElection;
        this.leadership = leadership;
        this.registry = registry;
    }

    /**
     * What {@code operate} calls: starts the operator on a thread of its own once the API server answers, so that a
     * process starting while the API server is away is alive (and says what it waits for) and the operator follows
     * when it can. A start that fails with the API server answering (missing RBAC for the Lease, say)
     * is not transient: the process exits, and the pod's restarts make it visible.
     */
    public void startWhenApiServerAnswers() {
        Thread starter = new Thread(() -> {
            Duration wait = Duration.ofSeconds(1);
            while (!apiServerAnswers(client.get().getConfiguration())) {
                LOG.warnf("API server not reachable; starting the operator when it is (next try in %ss)",
                        wait.toSeconds());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
            }
            try {
                start();
            } catch (RuntimeException e) {
                LOG.errorf(e, "The operator cannot start: %s", e.getMessage());
                Quarkus.asyncExit(1);
            }
        }, "operator-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * GET /version: every client may read it, and it needs nothing else to be in place. Asked with a client that
     * does not retry by itself (the shared one backs off for minutes), so that the answer comes when we ask.
     */
    private static boolean apiServerAnswers(Config shared) {
        Config once = new ConfigBuilder(shared).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(5_000).withRequestTimeout(5_000).build();
        try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(once).build()) {
            probe.getKubernetesVersion();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Starts the reconcilers now; tests call this directly. */
    public synchronized void start() {
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
        leadership.started(registry, instance.getConfigurationService().getLeaderElectionConfiguration().isPresent());
    }

    public boolean started() {
        return started;
    }

    void stop(@Observes ShutdownEvent event) {
        if (started) {
            leadership.stopped();
            operator.get().stop();
            // Only now, with the reconcilers stopped: the next leader may start writing at once.
            leaderElection.release(client.get(), config);
        }
    }
}
