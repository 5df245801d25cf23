package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Builds the {@link Operator} with the reconcilers that configuration leaves on. It replaces the extension's own
 * producer, which registers every reconciler it finds.
 */
@Singleton
public class ReconcilerRegistry {

    private static final Logger LOG = Logger.getLogger(ReconcilerRegistry.class);

    @Produces
    @ApplicationScoped
    Operator operator(QuarkusConfigurationService configuration, Instance<Reconciler<? extends HasMetadata>> reconcilers) {
        Operator operator = new Operator(configuration);
        for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
            register(operator, configuration, reconciler);
        }
        return operator;
    }

    private static <P extends HasMetadata> void register(Operator operator, QuarkusConfigurationService configuration,
                                                         Reconciler<P> reconciler) {
        String name = configuration.getConfigurationFor(reconciler).getName();
        if (reconciler instanceof OptionalReconciler optional && !optional.active()) {
            LOG.infof("Reconciler %s is switched off by configuration", name);
            return;
        }
        operator.register(reconciler, configuration.getConfigurationFor(reconciler));
    }
}
