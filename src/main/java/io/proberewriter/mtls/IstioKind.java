package io.proberewriter.mtls;

import java.util.Arrays;
import java.util.Optional;

/**
 * Istio's authentication kinds, the one place their group, version, kind and plural are written: the resolvers
 * read them from manifests, the webhook watches them, the operator writes them.
 */
public enum IstioKind {
    /** Istio 1.22 and later. */
    PEER_AUTHENTICATION_V1("security.istio.io", "v1", "PeerAuthentication", "peerauthentications", true),
    /** Istio 1.5 to 1.21 serve only this version; it has the same schema as v1. */
    PEER_AUTHENTICATION_V1BETA1("security.istio.io", "v1beta1", "PeerAuthentication", "peerauthentications", true),
    /** The seeds' Istio 0.8 to 1.4: a namespace or service policy. */
    POLICY("authentication.istio.io", "v1alpha1", "Policy", "policies", true),
    /** The seeds' Istio 0.8 to 1.4: the mesh-wide policy, cluster-scoped, always named default. */
    MESH_POLICY("authentication.istio.io", "v1alpha1", "MeshPolicy", "meshpolicies", false);

    private final String group;
    private final String version;
    private final String kind;
    private final String plural;
    private final boolean namespaced;

    IstioKind(String group, String version, String kind, String plural, boolean namespaced) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    public String kind() {
        return kind;
    }

    public String plural() {
        return plural;
    }

    public boolean namespaced() {
        return namespaced;
    }

    public String apiVersion() {
        return group + "/" + version;
    }

    public boolean isPeerAuthentication() {
        return this == PEER_AUTHENTICATION_V1 || this == PEER_AUTHENTICATION_V1BETA1;
    }

    /** How logs and messages name it: {@code PeerAuthentication security.istio.io/v1}. */
    public String display() {
        return kind + " " + apiVersion();
    }

    /** The kind of a document or object, if it is one of Istio's authentication kinds. */
    public static Optional<IstioKind> of(String apiVersion, String kind) {
        return Arrays.stream(values()).filter(k -> k.apiVersion().equals(apiVersion) && k.kind.equals(kind)).findFirst();
    }
}
