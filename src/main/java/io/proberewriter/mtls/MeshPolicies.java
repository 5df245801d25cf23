package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable snapshot of what {@link IstioMtlsOracle} needs to know about the mesh: PeerAuthentications, the
 * v1alpha1 Policies and MeshPolicy of the seeds, the Services that map v1alpha1 targets onto pods, the control
 * plane's ConfigMaps ({@link IstioConfigMaps}), and the mesh settings given where the cluster or the input does not
 * say. Built from fabric8 objects (informer caches in the webhook, manifests in the CLI); read without I/O.
 *
 * <p>It also knows which era of Istio it describes: a mesh with Istio 0.8's global mTLS switch, or with v1alpha1
 * authentication policies and no PeerAuthentication, predates Istio's own probe rewrite (Istio 1.5/1.6 turned it
 * on by default), so there Istio's rewrite counts as off unless the injector's values or a setting say otherwise
 * ({@link #probeRewrite(String)}).
 *
 * <p>Resources the resolver cannot read — wrong types, unknown modes, no namespace — are skipped, never thrown
 * at the caller, and listed in {@link #ignored()} so that a caller can warn about them. Kinds it does not know
 * are skipped too. The port exceptions probe-rewriter's operator writes ({@link GeneratedPolicy}) are left out
 * without a word: they are no input, and reading them would decide the rewrite they were made for the other way.
 */
public final class MeshPolicies {

    /** Istio's default root namespace ({@code meshConfig.rootNamespace}), home of mesh-wide policies. */
    public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";
    /** Where Istio's control plane runs by default, and with it the ConfigMaps of its injector and mesh config. */
    public static final String DEFAULT_ISTIO_NAMESPACE = "istio-system";

    /**
     * Whether Istio rewrites a pod's HTTP and gRPC probes when the pod does not say, and what says so.
     *
     * @param source the words for reasons and logs: "sidecarInjectorWebhook.rewriteAppHTTPProbe: false in ConfigMap
     *               istio-system/istio-sidecar-injector"
     */
    public record ProbeRewriteDefault(boolean rewrites, String source) {
    }

    private final String rootNamespace;
    private final String istioNamespace;
    private final boolean legacyGlobalMtlsSetting;
    private final Optional<Boolean> rewriteAppProbesSetting;
    private final String rewriteAppProbesSettingName;
    private final boolean legacyApisOnly;
    private final Optional<String> configMapsUnreadable;
    private final Map<String, IstioConfigMaps.Injector> injectors;
    private final Optional<IstioConfigMaps.MeshConfig> meshConfig;
    private final Optional<String> globalMtls;
    private final Optional<String> legacyEra;
    // By namespace, so that judging a probe reads the policies of its own namespace and the root's, not the whole
    // mesh's: in a cluster of 10,000 namespaces, scanning them all cost 3 ms per admission (docs/benchmarks.md).
    private final Map<String, List<PeerAuthenticationPolicy>> peerAuthentications;
    private final Map<String, List<LegacyAuthenticationPolicy>> legacyPolicies;
    private final List<LegacyAuthenticationPolicy> meshWideLegacyPolicies;
    private final Map<String, Map<String, KnownService>> services;
    private final List<String> ignored;
    /** What each policy and Service given was read as, by identity: for the next snapshot to reuse. */
    private final Map<Object, Read> reads;

    /** What one resource was read as (a policy, a Service, or nothing) and what was said about it. */
    private record Read(Object value, List<String> ignored) {
    }

    private MeshPolicies(Builder b) {
        this.istioNamespace = b.istioNamespace;
        this.legacyGlobalMtlsSetting = b.legacyGlobalMtls;
        this.rewriteAppProbesSetting = b.rewriteAppProbesSetting;
        this.rewriteAppProbesSettingName = b.rewriteAppProbesSettingName;
        this.legacyApisOnly = b.legacyApisOnly;
        this.configMapsUnreadable = b.configMapsUnreadable;
        List<String> skipped = new ArrayList<>();
        Map<String, IstioConfigMaps.Injector> injectorsByRevision = new HashMap<>();
        Optional<IstioConfigMaps.MeshConfig> meshConfigRead = Optional.empty();
        for (ConfigMap configMap : b.configMaps) {
            if (configMap == null) {
                continue;
            }
            IstioConfigMaps.injector(configMap, istioNamespace, skipped)
                    .ifPresent(i -> injectorsByRevision.put(i.revision(), i));
            Optional<IstioConfigMaps.MeshConfig> read = IstioConfigMaps.meshConfig(configMap, istioNamespace, skipped);
            if (read.isPresent()) {
                meshConfigRead = read;
            }
        }
        this.injectors = Map.copyOf(injectorsByRevision);
        this.meshConfig = meshConfigRead;
        // The mesh config is what Istio itself reads; the setting stands in where it cannot be read.
        this.rootNamespace = meshConfigRead.flatMap(IstioConfigMaps.MeshConfig::rootNamespace).orElse(b.rootNamespace);
        Map<Object, Read> previous = b.reusing == null ? Map.of() : b.reusing.reads;
        Map<Object, Read> readNow = new IdentityHashMap<>(b.policies.size() + b.services.size());
        List<PeerAuthenticationPolicy> peers = new ArrayList<>();
        List<LegacyAuthenticationPolicy> legacy = new ArrayList<>();
        // probe-rewriter's own port exceptions are left out of everything the snapshot says, the era included: a
        // PeerAuthentication of ours would otherwise make a v1alpha1 mesh look current and turn Istio's probe rewrite on.
        List<GenericKubernetesResource> inputs = b.policies.stream()
                .filter(r -> r != null && !GeneratedPolicy.isGenerated(r)).toList();
        for (GenericKubernetesResource resource : inputs) {
            Object policy = read(resource, previous, readNow, skipped, MeshPolicies::readPolicy);
            if (policy instanceof PeerAuthenticationPolicy peer) {
                peers.add(peer);
            } else if (policy instanceof LegacyAuthenticationPolicy old) {
                legacy.add(old);
            }
        }
        Map<String, Map<String, KnownService>> known = new HashMap<>();
        for (Service service : b.services) {
            // The first of two Services with the same name wins (only a manifest can hold two).
            if (read(service, previous, readNow, skipped, (s, said) -> KnownService.of(s, said).orElse(null))
                    instanceof KnownService k) {
                known.computeIfAbsent(k.namespace(), n -> new HashMap<>()).putIfAbsent(k.name(), k);
            }
        }
        this.reads = readNow;
        this.peerAuthentications = byNamespace(peers, p -> p.id().namespace());
        this.legacyPolicies = byNamespace(legacy.stream().filter(p -> !p.meshWide()).toList(),
                p -> p.id().namespace());
        this.meshWideLegacyPolicies = legacy.stream().filter(LegacyAuthenticationPolicy::meshWide).toList();
        Map<String, Map<String, KnownService>> servicesByNamespace = new HashMap<>();
        known.forEach((namespace, byName) -> servicesByNamespace.put(namespace, Map.copyOf(byName)));
        this.services = Map.copyOf(servicesByNamespace);
        this.ignored = List.copyOf(skipped);
        this.globalMtls = globalMtlsSource();
        this.legacyEra = era(inputs);
    }

    /**
     * What {@code resource} reads as: taken from the snapshot before when it was given the same object, read now
     * otherwise. Reading every policy and Service again after each change cost 2.3 µs per object, over 100 ms for a
     * mesh of 10,000 namespaces, on the admission that first saw the change (docs/benchmarks.md); an informer's store
     * replaces an object that changed and never modifies one, so the same object reads the same.
     */
    private static <T> Object read(T resource, Map<Object, Read> previous, Map<Object, Read> readNow,
                                   List<String> skipped, BiFunction<T, List<String>, Object> reader) {
        Read read = previous.get(resource);
        if (read == null) {
            List<String> said = new ArrayList<>();
            Object value = reader.apply(resource, said);
            read = new Read(value, List.copyOf(said));
        }
        readNow.put(resource, read);
        skipped.addAll(read.ignored());
        return read.value();
    }

    /** A PeerAuthentication, a v1alpha1 policy, or null when it cannot be read (said in {@code skipped}). */
    private static Object readPolicy(GenericKubernetesResource resource, List<String> skipped) {
        String apiVersion = resource.getApiVersion();
        String kind = resource.getKind();
        Optional<IstioKind> istioKind = IstioKind.of(apiVersion, kind);
        if (istioKind.isPresent() && istioKind.get().isPeerAuthentication()) {
            return PeerAuthenticationPolicy.parse(resource, skipped).orElse(null);
        }
        if (istioKind.isPresent()) {
            boolean mesh = istioKind.get() == IstioKind.MESH_POLICY;
            return LegacyAuthenticationPolicy.parse(resource, mesh, skipped).orElse(null);
        }
        skipped.add(apiVersion + " " + kind + " " + PolicyIdentity.of(resource).display()
                + ": not a kind the Istio resolver reads");
        return null;
    }

    /** The mesh config's authPolicy when it says; the setting otherwise. */
    private Optional<String> globalMtlsSource() {
        if (meshConfig.isPresent() && meshConfig.get().globalMtls().isPresent()) {
            return meshConfig.get().globalMtls().get()
                    ? Optional.of("authPolicy: MUTUAL_TLS in " + meshConfig.get().source()) : Optional.empty();
        }
        return legacyGlobalMtlsSetting ? Optional.of("global.mtls.enabled: true") : Optional.empty();
    }

    private Optional<String> era(List<GenericKubernetesResource> resources) {
        if (globalMtls.isPresent()) {
            return Optional.of("Istio 0.8's global mTLS switch is on (" + globalMtls.get() + ")");
        }
        if (legacyApisOnly) {
            return Optional.of("the cluster serves the v1alpha1 authentication policies and not PeerAuthentication"
                    + " (Istio 1.4 or older)");
        }
        boolean anyPeerAuthentication = resources.stream().filter(Objects::nonNull)
                .anyMatch(r -> IstioKind.PEER_AUTHENTICATION_V1.kind().equals(r.getKind()));
        if (anyPeerAuthentication) {
            return Optional.empty();
        }
        return resources.stream().filter(Objects::nonNull)
                .filter(r -> IstioKind.of(r.getApiVersion(), r.getKind()).filter(k -> !k.isPeerAuthentication())
                        .isPresent())
                .min(Comparator.comparing(PolicyIdentity::of, Comparator.comparing(PolicyIdentity::display,
                        Comparator.nullsFirst(Comparator.naturalOrder()))))
                .map(r -> "v1alpha1 " + r.getKind() + " " + PolicyIdentity.of(r).display()
                        + " and no PeerAuthentication (Istio 1.4 or older)");
    }

    /** Whether {@link Builder#policies} reads this kind: PeerAuthentication v1/v1beta1, v1alpha1 Policy/MeshPolicy. */
    public static boolean isPolicyKind(String apiVersion, String kind) {
        return IstioKind.of(apiVersion, kind).isPresent();
    }

    /** Whether this kind is cluster-scoped, so that a manifest's missing namespace must not be filled in. */
    public static boolean isClusterScoped(String apiVersion, String kind) {
        return IstioKind.of(apiVersion, kind).filter(k -> !k.namespaced()).isPresent();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No policies, no services, default settings: Istio's current defaults apply (PERMISSIVE, probes rewritten). */
    public static MeshPolicies empty() {
        return builder().build();
    }

    public String rootNamespace() {
        return rootNamespace;
    }

    /**
     * Istio 0.8's global mTLS switch ({@code authPolicy: MUTUAL_TLS} in the mesh config, or the setting standing for
     * {@code global.mtls.enabled}): mTLS for the whole mesh unless a v1alpha1 policy says otherwise. The source when
     * it is on.
     */
    public Optional<String> legacyGlobalMtls() {
        return globalMtls;
    }

    /**
     * Set, with the evidence, when the mesh is Istio 1.2 or older, whose sidecars capture only declared
     * containerPorts: its injector's template says so, its mesh config still has Istio 0.8's {@code authPolicy},
     * or the global switch is set.
     */
    public Optional<String> declaredPortsOnly() {
        IstioConfigMaps.Injector injector = injectors.get("");
        if (injector != null && injector.declaredPortsOnly()) {
            return Optional.of("the template in " + injector.source() + " captures the declared containerPorts");
        }
        if (meshConfig.isPresent() && meshConfig.get().globalMtls().isPresent()) {
            return Optional.of("authPolicy in " + meshConfig.get().source() + ": Istio 1.2 or older");
        }
        return legacyGlobalMtlsSetting ? Optional.of("global.mtls.enabled: Istio 1.2 or older") : Optional.empty();
    }

    /** Why this mesh predates Istio's own probe rewrite; empty for a current mesh. */
    public Optional<String> legacyEra() {
        return legacyEra;
    }

    /**
     * Whether Istio rewrites the probes of a pod of this revision that does not set
     * {@code sidecar.istio.io/rewriteAppHTTPProbers}, the first that says: the revision's injector values, the
     * setting, the era (a mesh from before the rewrite: off), Istio's default since 1.6 (on).
     *
     * @param revision {@code ""} for the default revision
     */
    public ProbeRewriteDefault probeRewrite(String revision) {
        String configMap = IstioConfigMaps.INJECTOR + (revision.isEmpty() ? "" : "-" + revision);
        IstioConfigMaps.Injector injector = injectors.get(revision);
        if (injector != null && injector.rewriteAppHttpProbe().isPresent()) {
            boolean on = injector.rewriteAppHttpProbe().get();
            return new ProbeRewriteDefault(on, "sidecarInjectorWebhook.rewriteAppHTTPProbe: " + on + " in "
                    + injector.source());
        }
        String unread = injector != null ? injector.source() + " does not set sidecarInjectorWebhook.rewriteAppHTTPProbe"
                : configMapsUnreadable.orElse("no ConfigMap " + istioNamespace + "/" + configMap + " was read");
        if (rewriteAppProbesSetting.isPresent()) {
            boolean on = rewriteAppProbesSetting.get();
            return new ProbeRewriteDefault(on, rewriteAppProbesSettingName + "=" + on + "; " + unread);
        }
        if (legacyEra.isPresent()) {
            return new ProbeRewriteDefault(false, "a mesh from before Istio rewrote probes: " + legacyEra.get()
                    + "; " + unread);
        }
        return new ProbeRewriteDefault(true, "Istio's default since 1.6; " + unread);
    }

    /**
     * What the logs say of the sources, once at startup and whenever they change: Istio's probe rewrite for the
     * default revision and what says so, the other revisions' injectors, the global switch.
     */
    public String describeSources() {
        ProbeRewriteDefault probes = probeRewrite("");
        StringBuilder text = new StringBuilder("Istio's probe rewrite by default ")
                .append(probes.rewrites() ? "on" : "off").append(" (").append(probes.source()).append(")");
        injectors.values().stream().filter(i -> !i.revision().isEmpty())
                .sorted(Comparator.comparing(IstioConfigMaps.Injector::revision))
                .forEach(i -> text.append("; revision ").append(i.revision()).append(": ")
                        .append(probeRewrite(i.revision()).rewrites() ? "on" : "off"));
        legacyGlobalMtls().ifPresent(g -> text.append("; global mTLS switch on (").append(g).append(")"));
        declaredPortsOnly().ifPresent(d -> text.append("; sidecars capture declared containerPorts only (")
                .append(d).append(")"));
        return text.toString();
    }

    /** What was skipped and why, one line each ("PeerAuthentication shop/x: spec.mtls.mode is not …"). */
    public List<String> ignored() {
        return ignored;
    }

    private static <T> Map<String, List<T>> byNamespace(List<T> items, Function<T, String> namespace) {
        Map<String, List<T>> grouped = new HashMap<>();
        for (T item : items) {
            grouped.computeIfAbsent(namespace.apply(item), n -> new ArrayList<>()).add(item);
        }
        Map<String, List<T>> copied = new HashMap<>();
        grouped.forEach((key, list) -> copied.put(key, List.copyOf(list)));
        return Map.copyOf(copied);
    }

    /** The PeerAuthentications of {@code namespace}, in the order given; none for a pod of no known namespace. */
    List<PeerAuthenticationPolicy> peerAuthentications(String namespace) {
        return namespace == null ? List.of() : peerAuthentications.getOrDefault(namespace, List.of());
    }

    /** The v1alpha1 Policies of {@code namespace}, in the order given; none for a pod of no known namespace. */
    List<LegacyAuthenticationPolicy> legacyPolicies(String namespace) {
        return namespace == null ? List.of() : legacyPolicies.getOrDefault(namespace, List.of());
    }

    /** The MeshPolicies (cluster-scoped), in the order given. */
    List<LegacyAuthenticationPolicy> meshWideLegacyPolicies() {
        return meshWideLegacyPolicies;
    }

    Optional<KnownService> service(String namespace, String name) {
        return namespace == null || name == null ? Optional.empty()
                : Optional.ofNullable(services.getOrDefault(namespace, Map.of()).get(name));
    }

    public static final class Builder {
        private String rootNamespace = DEFAULT_ROOT_NAMESPACE;
        private String istioNamespace = DEFAULT_ISTIO_NAMESPACE;
        private boolean legacyGlobalMtls;
        private Optional<Boolean> rewriteAppProbesSetting = Optional.empty();
        private String rewriteAppProbesSettingName = "rewrites-probes";
        private boolean legacyApisOnly;
        private Optional<String> configMapsUnreadable = Optional.empty();
        private final List<GenericKubernetesResource> policies = new ArrayList<>();
        private final List<Service> services = new ArrayList<>();
        private final List<ConfigMap> configMaps = new ArrayList<>();
        private MeshPolicies reusing;

        private Builder() {
        }

        /**
         * Reuses what {@code previous} read of the very objects given again (by identity, not by name), so that a
         * rebuild after one change reads one object. The objects must not have been modified since, as an informer's
         * store never modifies them. Null reuses nothing.
         */
        public Builder reusing(MeshPolicies previous) {
            this.reusing = previous;
            return this;
        }

        public Builder rootNamespace(String namespace) {
            this.rootNamespace = Objects.requireNonNull(namespace, "rootNamespace");
            return this;
        }

        public Builder legacyGlobalMtls(boolean enabled) {
            this.legacyGlobalMtls = enabled;
            return this;
        }

        /** Istio's namespace, where its control plane's ConfigMaps are. */
        public Builder istioNamespace(String namespace) {
            this.istioNamespace = Objects.requireNonNull(namespace, "istioNamespace");
            return this;
        }

        /** A set value of the mesh default of Istio's probe rewrite, by the name users set it with. */
        public Builder rewriteAppProbesSetting(Optional<Boolean> rewrite, String settingName) {
            this.rewriteAppProbesSetting = Objects.requireNonNull(rewrite, "rewrite");
            this.rewriteAppProbesSettingName = Objects.requireNonNull(settingName, "settingName");
            return this;
        }

        /** Shorthand for a set value of the mesh default of Istio's probe rewrite. */
        public Builder rewriteAppProbesByDefault(boolean rewrite) {
            this.rewriteAppProbesSetting = Optional.of(rewrite);
            return this;
        }

        /** The cluster serves v1alpha1 Policy or MeshPolicy and not PeerAuthentication: Istio 1.4 or older. */
        public Builder legacyApisOnly(boolean legacy) {
            this.legacyApisOnly = legacy;
            return this;
        }

        /** Why Istio's ConfigMaps could not be read (forbidden), for the reasons that would have used them. */
        public Builder configMapsUnreadable(Optional<String> why) {
            this.configMapsUnreadable = Objects.requireNonNull(why, "why");
            return this;
        }

        /** ConfigMaps from anywhere: the ones of Istio's control plane ({@link IstioConfigMaps}) are read. */
        public Builder configMaps(Collection<ConfigMap> list) {
            configMaps.addAll(list);
            return this;
        }

        /** PeerAuthentications (v1, v1beta1), v1alpha1 Policies and MeshPolicies, in any order and mix. */
        public Builder policies(Collection<GenericKubernetesResource> resources) {
            policies.addAll(resources);
            return this;
        }

        public Builder services(Collection<Service> list) {
            services.addAll(list);
            return this;
        }

        public MeshPolicies build() {
            return new MeshPolicies(this);
        }
    }
}
