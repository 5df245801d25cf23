package io.proberewriter.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeTarget;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The istio resolver over the informer caches: {@link IstioMtlsOracle} on a {@link MeshPolicies} snapshot of the
 * stores. The snapshot is rebuilt on the first check after a store changed (cost: one pass over the cached
 * policies and Services) and reused otherwise, so that a steady cluster costs a counter read per probe.
 */
final class ClusterMtlsOracle implements MtlsOracle {

    private static final Logger LOG = Logger.getLogger(ClusterMtlsOracle.class);
    static final String REWRITES_PROBES_SETTING = "probe-rewriter.mtls.istio.rewrites-probes";

    private record Snapshot(long generation, MeshPolicies mesh, IstioMtlsOracle oracle) {
    }

    private final MeshPolicyCache cache;
    private final ProbeRewriterConfig.Mtls.Istio settings;
    private final IstioApis apis;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private volatile String loggedSources;

    ClusterMtlsOracle(MeshPolicyCache cache, ProbeRewriterConfig.Mtls.Istio settings, IstioApis apis) {
        this.cache = cache;
        this.settings = settings;
        this.apis = apis;
    }

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        return snapshot().oracle().check(target);
    }

    /** One snapshot for all the probes of a pod, and the pod worked out once (see {@link IstioMtlsOracle#forPod}). */
    @Override
    public MtlsOracle forPod(Pod pod, NamespaceContext namespace) {
        return snapshot().oracle().forPod(pod, namespace);
    }

    /**
     * Where Istio's probe rewrite default and global switch come from, on the current snapshot (built now if stale,
     * which also logs the sources when they changed): at startup once the caches are synced, and in readiness data.
     */
    String sources() {
        return mesh().describeSources();
    }

    /** The policies as the resolver sees them now: the current snapshot, rebuilt first if a store changed. */
    MeshPolicies mesh() {
        return snapshot().mesh();
    }

    private Snapshot snapshot() {
        // Read the generation before the stores: a change during the build leaves the snapshot stale, not wrong
        // for ever, and the next check rebuilds it.
        long generation = cache.generation();
        Snapshot snapshot = current.get();
        if (snapshot != null && snapshot.generation() == generation) {
            return snapshot;
        }
        MeshPolicies mesh = MeshPolicies.builder()
                .rootNamespace(settings.rootNamespace())
                .istioNamespace(settings.namespace())
                .legacyGlobalMtls(settings.globalMtls())
                .rewriteAppProbesSetting(settings.rewritesProbes(), REWRITES_PROBES_SETTING)
                .legacyApisOnly(apis.legacyOnly())
                .configMapsUnreadable(cache.configMapsUnreadable())
                .policies(cache.policies())
                .services(cache.resolverServices())
                .configMaps(cache.istioConfigMaps())
                .reusing(snapshot == null ? null : snapshot.mesh())
                .build();
        logNewlyIgnored(snapshot == null ? List.of() : snapshot.mesh().ignored(), mesh.ignored());
        String sources = mesh.describeSources();
        if (!sources.equals(loggedSources)) {
            loggedSources = sources;
            LOG.infof("Istio resolver: %s", sources);
        }
        Snapshot built = new Snapshot(generation, mesh, new IstioMtlsOracle(mesh));
        current.set(built);
        return built;
    }

    /** Each unreadable resource is logged once, when it appears, not on every rebuild. */
    private static void logNewlyIgnored(List<String> before, List<String> now) {
        Set<String> known = new HashSet<>(before);
        for (String line : now) {
            if (!known.contains(line)) {
                LOG.warnf("Istio resolver ignores %s", line);
            }
        }
    }
}
