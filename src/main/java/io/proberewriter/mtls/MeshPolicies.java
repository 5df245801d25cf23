package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of what {@link IstioMtlsOracle} needs to know about the mesh: PeerAuthentications, the
 * v1alpha1 Policies and MeshPolicy of the seeds, the Services that map v1alpha1 targets onto pods, and three
 * mesh-wide settings. Built from fabric8 objects (informer caches in the webhook, manifests in the CLI); read
 * without I/O.
 *
 * <p>Resources the resolver cannot read — wrong types, unknown modes, no namespace — are skipped, never thrown
 * at the caller, and listed in {@link #ignored()} so that a caller can warn about them. Kinds it does not know
 * are skipped too.
 */
public final class MeshPolicies {

    /** Istio's default root namespace ({@code meshConfig.rootNamespace}), home of mesh-wide policies. */
    public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

    private final String rootNamespace;
    private final boolean legacyGlobalMtls;
    private final boolean rewriteAppProbesByDefault;
    private final List<PeerAuthenticationPolicy> peerAuthentications;
    private final List<LegacyAuthenticationPolicy> legacyPolicies;
    private final List<KnownService> services;
    private final List<String> ignored;

    private MeshPolicies(Builder b) {
        this.rootNamespace = b.rootNamespace;
        this.legacyGlobalMtls = b.legacyGlobalMtls;
        this.rewriteAppProbesByDefault = b.rewriteAppProbesByDefault;
        List<String> skipped = new ArrayList<>();
        List<PeerAuthenticationPolicy> peers = new ArrayList<>();
        List<LegacyAuthenticationPolicy> legacy = new ArrayList<>();
        for (GenericKubernetesResource resource : b.policies) {
            if (resource == null) {
                continue;
            }
            String apiVersion = resource.getApiVersion();
            String kind = resource.getKind();
            if (PeerAuthenticationPolicy.KIND.equals(kind) && PeerAuthenticationPolicy.API_VERSIONS.contains(apiVersion)) {
                PeerAuthenticationPolicy.parse(resource, skipped).ifPresent(peers::add);
            } else if (LegacyAuthenticationPolicy.API_VERSION.equals(apiVersion)
                    && (LegacyAuthenticationPolicy.POLICY_KIND.equals(kind)
                    || LegacyAuthenticationPolicy.MESH_POLICY_KIND.equals(kind))) {
                boolean mesh = LegacyAuthenticationPolicy.MESH_POLICY_KIND.equals(kind);
                LegacyAuthenticationPolicy.parse(resource, mesh, skipped).ifPresent(legacy::add);
            } else {
                skipped.add(apiVersion + " " + kind + " " + PolicyIdentity.of(resource).display()
                        + ": not a kind the Istio resolver reads");
            }
        }
        List<KnownService> known = new ArrayList<>();
        for (Service service : b.services) {
            KnownService.of(service, skipped).ifPresent(known::add);
        }
        this.peerAuthentications = List.copyOf(peers);
        this.legacyPolicies = List.copyOf(legacy);
        this.services = List.copyOf(known);
        this.ignored = List.copyOf(skipped);
    }

    /** Whether {@link Builder#policies} reads this kind: PeerAuthentication v1/v1beta1, v1alpha1 Policy/MeshPolicy. */
    public static boolean isPolicyKind(String apiVersion, String kind) {
        return (PeerAuthenticationPolicy.KIND.equals(kind) && PeerAuthenticationPolicy.API_VERSIONS.contains(apiVersion))
                || (LegacyAuthenticationPolicy.API_VERSION.equals(apiVersion)
                && (LegacyAuthenticationPolicy.POLICY_KIND.equals(kind)
                || LegacyAuthenticationPolicy.MESH_POLICY_KIND.equals(kind)));
    }

    /** Whether this kind is cluster-scoped, so that a manifest's missing namespace must not be filled in. */
    public static boolean isClusterScoped(String apiVersion, String kind) {
        return LegacyAuthenticationPolicy.API_VERSION.equals(apiVersion)
                && LegacyAuthenticationPolicy.MESH_POLICY_KIND.equals(kind);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No policies, no services, default settings: Istio's defaults apply (PERMISSIVE, probes rewritten). */
    public static MeshPolicies empty() {
        return builder().build();
    }

    public String rootNamespace() {
        return rootNamespace;
    }

    /** Istio 0.8's {@code global.mtls.enabled}: mTLS for the whole mesh unless a v1alpha1 policy says otherwise. */
    public boolean legacyGlobalMtls() {
        return legacyGlobalMtls;
    }

    /** The mesh default of {@code sidecar.istio.io/rewriteAppHTTPProbers} (on since Istio 1.10). */
    public boolean rewriteAppProbesByDefault() {
        return rewriteAppProbesByDefault;
    }

    /** What was skipped and why, one line each ("PeerAuthentication shop/x: spec.mtls.mode is not …"). */
    public List<String> ignored() {
        return ignored;
    }

    List<PeerAuthenticationPolicy> peerAuthentications() {
        return peerAuthentications;
    }

    List<LegacyAuthenticationPolicy> legacyPolicies() {
        return legacyPolicies;
    }

    List<KnownService> services() {
        return services;
    }

    Optional<KnownService> service(String namespace, String name) {
        return services.stream().filter(s -> s.namespace().equals(namespace) && s.name().equals(name)).findFirst();
    }

    public static final class Builder {
        private String rootNamespace = DEFAULT_ROOT_NAMESPACE;
        private boolean legacyGlobalMtls;
        private boolean rewriteAppProbesByDefault = true;
        private final List<GenericKubernetesResource> policies = new ArrayList<>();
        private final List<Service> services = new ArrayList<>();

        private Builder() {
        }

        public Builder rootNamespace(String namespace) {
            this.rootNamespace = Objects.requireNonNull(namespace, "rootNamespace");
            return this;
        }

        public Builder legacyGlobalMtls(boolean enabled) {
            this.legacyGlobalMtls = enabled;
            return this;
        }

        public Builder rewriteAppProbesByDefault(boolean rewrite) {
            this.rewriteAppProbesByDefault = rewrite;
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
