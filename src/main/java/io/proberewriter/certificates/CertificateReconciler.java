package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.operator.OptionalReconciler;
import java.net.HttpURLConnection;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Certificates without cert-manager: keeps the CA Secret, the serving Secret and the webhook configuration's
 * caBundle in step with {@link CertificatePlanner}'s rules. The order of the writes is what makes a renewal safe:
 * the CA Secret first, then the caBundle (the API server trusts the new CA), and only then the serving Secret (the
 * replicas serve a certificate of the new CA). A failure stops the sequence; the retry starts it again.
 *
 * <p>Primary resource: the MutatingWebhookConfiguration, so that blanking its caBundle (re-applying the manifest)
 * is put right at once. The two Secrets are watched too, by name and no other ({@link NamedSecrets}): deleting or editing one is put right as well, and one the
 * API server will not let us update (another type, as cert-manager leaves {@code probe-rewriter-ca}, or marked
 * immutable) is replaced ({@link SecretWriter}).
 */
@ControllerConfiguration(name = CertificateReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(labelSelector = "app.kubernetes.io/name=probe-rewriter"),
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(maxAttempts = 10, initialInterval = 1000, intervalMultiplier = 2, maxInterval = 60_000)
public class CertificateReconciler implements Reconciler<MutatingWebhookConfiguration>, OptionalReconciler {

    public static final String NAME = "certificates";
    private static final Logger LOG = Logger.getLogger(CertificateReconciler.class);
    /** Never look again sooner than this, whatever the certificates say: a floor against busy loops. */
    private static final Duration SHORTEST_RECHECK = Duration.ofSeconds(1);

    private final ProbeRewriterConfig config;
    private final KubernetesClient client;
    private final CertificatePlanner planner;
    private final SecretWriter secrets;
    private final Clock clock;

    CertificateReconciler(ProbeRewriterConfig config, KubernetesClient client, Clock clock) {
        this.config = config;
        this.client = client;
        this.clock = clock;
        this.secrets = new SecretWriter(client);
        ProbeRewriterConfig.Operator.Certificates settings = config.operator().certificates();
        this.planner = new CertificatePlanner(new CertificateIssuer(),
                CertificatePlanner.serviceDnsNames(settings.serviceName(), config.namespace()),
                settings.caValidity(), settings.servingValidity(), settings.caPropagation());
    }

    @Override
    public boolean active() {
        return config.operator().certificates().enabled();
    }

    @Override
    public List<EventSource<?, MutatingWebhookConfiguration>> prepareEventSources(
            EventSourceContext<MutatingWebhookConfiguration> context) {
        // Our two Secrets by name, never the namespace's others (k8s/base/rbac-certificates.yaml grants no more).
        return List.of(new NamedSecrets(client, config.namespace(),
                Set.of(settings().caSecretName(), config.tls().secretName()),
                new ResourceID(settings().webhookConfiguration())));
    }

    @Override
    public UpdateControl<MutatingWebhookConfiguration> reconcile(MutatingWebhookConfiguration webhookConfiguration,
                                                                 Context<MutatingWebhookConfiguration> context) {
        if (!settings().webhookConfiguration().equals(webhookConfiguration.getMetadata().getName())) {
            return UpdateControl.noUpdate(); // Labelled like ours, but not the one we manage.
        }
        String namespace = config.namespace();
        Optional<Secret> caSecret = secret(context, settings().caSecretName());
        Optional<Secret> servingSecret = secret(context, config.tls().secretName());
        Instant now = clock.instant();
        List<X509Certificate> liveBundle = webhookConfiguration.getWebhooks() == null ? List.of()
                : webhookConfiguration.getWebhooks().stream()
                .flatMap(w -> CertificateSecrets.fromCaBundle(bundleOf(w)).stream()).distinct().toList();
        CertificatePlan plan = planner.plan(CertificateSecrets.read(caSecret, servingSecret, liveBundle), now);
        plan.reasons().forEach(reason -> LOG.infof("Certificates: %s", reason));

        try {
            secrets.write(caSecret, CertificateSecrets.caSecret(namespace, settings().caSecretName(), plan));
            syncCaBundle(webhookConfiguration, CertificateSecrets.caBundle(plan));
            secrets.write(servingSecret, CertificateSecrets.servingSecret(namespace, config.tls().secretName(), plan));
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            // Expected when our read came from a cache a step behind (our own last write, another leader's), or
            // when another writer re-created a Secret we were replacing: nothing was half done that the next pass,
            // from fresh state, does not finish.
            LOG.infof("Certificates: an object changed since it was read (%s); looking again", e.getStatus() == null
                    ? e.getMessage() : e.getStatus().getMessage());
            return UpdateControl.<MutatingWebhookConfiguration>noUpdate().rescheduleAfter(SHORTEST_RECHECK);
        }

        Duration untilNext = Duration.between(clock.instant(), plan.nextCheck());
        return UpdateControl.<MutatingWebhookConfiguration>noUpdate()
                .rescheduleAfter(untilNext.compareTo(SHORTEST_RECHECK) < 0 ? SHORTEST_RECHECK : untilNext);
    }

    private ProbeRewriterConfig.Operator.Certificates settings() {
        return config.operator().certificates();
    }

    private Optional<Secret> secret(Context<MutatingWebhookConfiguration> context, String name) {
        // The informer's copy: never a stale decision for long, as any change to the Secret reconciles again.
        return context.getSecondaryResources(Secret.class).stream()
                .filter(s -> name.equals(s.getMetadata().getName()))
                .findFirst();
    }

    /**
     * Every webhook of the configuration gets the bundle; only this field is touched. {@code read} is the copy the
     * plan was made from (its caBundle counted as trusted), so the write is conditional on its resourceVersion: a
     * JSON patch that sets {@code metadata.resourceVersion} makes the API server answer 409 Conflict when the object
     * has changed since (another writer's bundle, which this plan never saw and would otherwise drop), and the
     * caller's 409 handling plans again from a fresh read. The indexes in the patch are those of that copy too.
     */
    private void syncCaBundle(MutatingWebhookConfiguration read, String caBundle) {
        List<MutatingWebhook> webhooks = read.getWebhooks() == null ? List.of() : read.getWebhooks();
        List<Map<String, Object>> patch = new ArrayList<>();
        patch.add(Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", Objects.requireNonNull(
                read.getMetadata().getResourceVersion(), "a webhook configuration read from the API server")));
        for (int i = 0; i < webhooks.size(); i++) {
            if (webhooks.get(i).getClientConfig() != null && !Objects.equals(caBundle, bundleOf(webhooks.get(i)))) {
                // "add" sets the member whether or not it is there (the shipped manifest has no caBundle).
                patch.add(Map.of("op", "add", "path", "/webhooks/" + i + "/clientConfig/caBundle", "value", caBundle));
            }
        }
        if (patch.size() == 1) {
            return;
        }
        String name = read.getMetadata().getName();
        try {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name)
                    .patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return; // Deleted since it was read: no bundle to keep up to date (re-applying it reconciles again).
            }
            throw e;
        }
        LOG.infof("caBundle of MutatingWebhookConfiguration %s brought up to date", name);
    }

    private static String bundleOf(MutatingWebhook webhook) {
        return webhook.getClientConfig() == null ? null : webhook.getClientConfig().getCaBundle();
    }
}
