package io.proberewriter.cluster;

import io.proberewriter.mtls.IstioKind;
import io.proberewriter.mtls.MtlsResolver;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The resolver the webhook runs with, from {@code probe-rewriter.mtls.resolver} and what the cluster serves, with
 * the reason logged at startup. Pure, so that the {@code auto} rules are tested without a cluster.
 *
 * @param resolver ISTIO, ASSUME_ALL or ANNOTATION, never AUTO
 * @param apis     the Istio kinds to watch (none unless resolver is ISTIO)
 * @param reason   why, for the startup log line
 */
public record MtlsResolverChoice(MtlsResolver resolver, IstioApis apis, String reason) {

    /**
     * @param configured what the configuration asks for
     * @param cluster    whether there is a cluster to watch ({@code probe-rewriter.namespaces.watch})
     * @param discovery  asks the API server which Istio kinds it serves; may throw
     */
    public static MtlsResolverChoice choose(MtlsResolver configured, boolean cluster, Supplier<IstioApis> discovery) {
        switch (configured) {
            case ASSUME_ALL:
                return new MtlsResolverChoice(MtlsResolver.ASSUME_ALL, IstioApis.none(), "configured");
            case ANNOTATION:
                return new MtlsResolverChoice(MtlsResolver.ANNOTATION, IstioApis.none(), "configured");
            default:
                break;
        }
        if (!cluster) {
            // Policies can only come from the cluster: with no watch, istio would see none and answer PERMISSIVE
            // everywhere, which leaves probes broken under mTLS. assume-all is the safe side.
            return new MtlsResolverChoice(MtlsResolver.ASSUME_ALL, IstioApis.none(),
                    "probe-rewriter.namespaces.watch=false: no cluster to read Istio policies from");
        }
        IstioApis apis;
        try {
            apis = discovery.get();
        } catch (RuntimeException e) {
            if (configured == MtlsResolver.AUTO) {
                return new MtlsResolverChoice(MtlsResolver.ASSUME_ALL, IstioApis.none(),
                        "could not ask the API server whether Istio is installed: " + e);
            }
            // Asked for istio: watch the current PeerAuthentication; its informer retries until the API answers.
            return new MtlsResolverChoice(MtlsResolver.ISTIO,
                    new IstioApis(Optional.of(IstioKind.PEER_AUTHENTICATION_V1), false, false),
                    "configured; API discovery failed (" + e + "), watching PeerAuthentication v1 only");
        }
        if (configured == MtlsResolver.ISTIO) {
            return new MtlsResolverChoice(MtlsResolver.ISTIO, apis, "configured");
        }
        if (configured.resolve(apis.istioPresent()) == MtlsResolver.ASSUME_ALL) {
            return new MtlsResolverChoice(MtlsResolver.ASSUME_ALL, IstioApis.none(),
                    "auto: the cluster serves none of Istio's authentication policies (PeerAuthentication, v1alpha1"
                            + " Policy or MeshPolicy)");
        }
        return new MtlsResolverChoice(MtlsResolver.ISTIO, apis, apis.legacyOnly()
                ? "auto: the cluster serves Istio's v1alpha1 authentication policies (Istio 1.4 or older)"
                : "auto: the cluster serves PeerAuthentication");
    }
}
