package io.proberewriter.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.MtlsResolver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The webhook's mTLS resolver, chosen once at startup from {@code probe-rewriter.mtls.resolver} and, for
 * {@code auto}, from whether the cluster serves Istio's PeerAuthentication. The choice and the caches it needs
 * are made in the background: API discovery goes through the client's retries, which can take minutes when the
 * API server is away, and startup must not wait for that. Until then probes are judged by assume-all and the
 * readiness check holds the webhook out of service.
 */
@Singleton
public class WebhookMtlsResolver {

    private static final Logger LOG = Logger.getLogger(WebhookMtlsResolver.class);
    private static final MtlsOracle ASSUME_ALL = new AssumeAllMtlsOracle();
    private static final Duration SYNC_POLL = Duration.ofMillis(200);

    private final ProbeRewriterConfig config;
    private final Instance<KubernetesClient> client;
    private final MeshPolicyCache cache = new MeshPolicyCache();
    private volatile MtlsResolverChoice choice;
    private volatile MtlsOracle oracle = ASSUME_ALL;
    private volatile ClusterMtlsOracle istioOracle;

    WebhookMtlsResolver(ProbeRewriterConfig config, Instance<KubernetesClient> client) {
        this.config = config;
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        Thread chooser = new Thread(this::choose, "mtls-resolver-choice");
        chooser.setDaemon(true);
        chooser.start();
    }

    private void choose() {
        MtlsResolverChoice chosen;
        ClusterMtlsOracle istio = null;
        try {
            chosen = MtlsResolverChoice.choose(config.mtls().resolver(), config.namespaces().watch(),
                    () -> IstioApis.discover(client.get()));
            if (chosen.resolver() == MtlsResolver.ISTIO) {
                String istioNamespace = config.mtls().istio().namespace();
                cache.start(client.get(), chosen.apis(), istioNamespace);
                istio = new ClusterMtlsOracle(cache, config.mtls().istio(), chosen.apis());
                oracle = istio;
                istioOracle = istio;
                LOG.infof("mTLS resolver: istio (%s); watching %s", chosen.reason(),
                        watchedKinds(chosen.apis(), istioNamespace));
            } else {
                oracle = chosen.resolver() == MtlsResolver.ANNOTATION ? new AnnotationMtlsOracle() : ASSUME_ALL;
                LOG.infof("mTLS resolver: %s (%s)", chosen.resolver().word(), chosen.reason());
            }
        } catch (RuntimeException e) {
            // A bug of ours (or a client that cannot be built) must not leave the webhook unready for ever.
            LOG.errorf(e, "mTLS resolver: assume-all (choosing failed)");
            oracle = ASSUME_ALL;
            chosen = new MtlsResolverChoice(MtlsResolver.ASSUME_ALL, IstioApis.none(), "choosing failed: " + e);
        }
        choice = chosen;
        if (istio != null) {
            logSourcesOnceSynced(istio);
        }
    }

    /**
     * Says once, at startup, where Istio's probe rewrite default comes from (the injector's ConfigMap, a setting or
     * the mesh's era). That needs the first lists, which can take a while; the thread is this one's, in the
     * background.
     */
    private void logSourcesOnceSynced(ClusterMtlsOracle istio) {
        try {
            while (!cache.synced()) {
                Thread.sleep(SYNC_POLL.toMillis());
            }
            istio.sources();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Istio resolver: could not describe its sources");
        }
    }

    private static String watchedKinds(IstioApis apis, String istioNamespace) {
        StringBuilder kinds = new StringBuilder();
        apis.watched().forEach(k -> kinds.append(kinds.isEmpty() ? "" : ", ").append(k.display()));
        if (apis.needsServices()) {
            kinds.append(kinds.isEmpty() ? "" : ", ").append("Service v1");
        }
        kinds.append(kinds.isEmpty() ? "" : ", ").append("ConfigMap v1 in ").append(istioNamespace);
        return kinds.toString();
    }

    void stop(@Observes ShutdownEvent event) {
        cache.stop();
    }

    /** The resolver the engine asks; assume-all until the choice is made. */
    public MtlsOracle oracle() {
        return oracle;
    }

    /** With the istio resolver, once its caches are synced: where Istio's probe rewrite default comes from. */
    public Optional<String> istioSources() {
        ClusterMtlsOracle current = istioOracle;
        return current == null || !cache.synced() ? Optional.empty() : Optional.of(current.sources());
    }

    /** Empty until the choice is made. */
    public Optional<MtlsResolverChoice> choice() {
        return Optional.ofNullable(choice);
    }

    /** True once the resolver is chosen and every cache it reads has its first list. */
    public boolean ready() {
        return choice != null && cache.synced();
    }

    public MeshPolicyCache cache() {
        return cache;
    }
}
