package io.proberewriter.webhook;

import io.proberewriter.mtls.IstioKind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.proberewriter.cluster.IstioApis;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Istio's authentication CRDs in the mock API server before the app starts, as an Istio 1.5-era cluster would have
 * them: PeerAuthentication v1 and the v1alpha1 Policy and MeshPolicy. The mock serves API discovery for the CRDs
 * it holds, which is what the webhook asks at startup.
 */
public class IstioCrds implements Consumer<KubernetesServer> {

    @Override
    public void accept(KubernetesServer server) {
        for (IstioKind kind : kinds()) {
            server.getClient().apiextensions().v1().customResourceDefinitions().resource(crd(IstioApis.context(kind)))
                    .create();
        }
    }

    protected List<IstioKind> kinds() {
        return List.of(IstioKind.PEER_AUTHENTICATION_V1, IstioKind.POLICY, IstioKind.MESH_POLICY);
    }

    /** An Istio 0.8 to 1.4 cluster, the seeds' own: the v1alpha1 Policy and MeshPolicy, no PeerAuthentication. */
    public static class Legacy extends IstioCrds {
        @Override
        protected List<IstioKind> kinds() {
            return List.of(IstioKind.POLICY, IstioKind.MESH_POLICY);
        }
    }

    private static CustomResourceDefinition crd(ResourceDefinitionContext kind) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(kind.getPlural() + "." + kind.getGroup()).endMetadata()
                .withNewSpec()
                .withGroup(kind.getGroup())
                .withScope(kind.isNamespaceScoped() ? "Namespaced" : "Cluster")
                .withNewNames().withKind(kind.getKind()).withPlural(kind.getPlural())
                .withSingular(kind.getKind().toLowerCase()).endNames()
                .addNewVersion().withName(kind.getVersion()).withServed(true).withStorage(true).endVersion()
                .endSpec()
                .build();
    }
}
