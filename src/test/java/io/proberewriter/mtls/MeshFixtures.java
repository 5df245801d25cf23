package io.proberewriter.mtls;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.proberewriter.engine.ContainerRef;
import io.proberewriter.engine.ContainerSection;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.engine.ProbeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The seeds' httpbin, its namespace and Service, and policies written as YAML the way users write them. */
final class MeshFixtures {

    private static final YAMLMapper YAML = new YAMLMapper();

    static final NamespaceContext MESHED = new NamespaceContext("default", Map.of("istio-injection", "enabled"), Map.of());
    static final NamespaceContext UNMESHED = new NamespaceContext("default", Map.of(), Map.of());

    private MeshFixtures() {
    }

    static GenericKubernetesResource resource(String yaml) {
        try {
            return YAML.readValue(yaml, GenericKubernetesResource.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PeerAuthentication; {@code spec} is YAML indented by two spaces, or empty for no spec. */
    static GenericKubernetesResource peerAuthentication(String namespace, String name, String created, String spec) {
        return resource("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: %s
                  namespace: %s
                  creationTimestamp: "%s"
                spec:
                %s
                """.formatted(name, namespace, created, spec));
    }

    /** The seeds' httpbin: Service port 8000 named http, container port 8000, liveness httpGet on 8000. */
    static PodBuilder httpbin() {
        return new PodBuilder()
                .withNewMetadata().withName("httpbin-1a23bc456d-7ef8g").withNamespace("default")
                .withLabels(Map.of("app", "httpbin", "version", "v1")).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("httpbin").withImage("docker.io/citizenstig/httpbin")
                .addToPorts(new ContainerPortBuilder().withName("web").withContainerPort(8000).build())
                .addToPorts(new ContainerPortBuilder().withName("admin").withContainerPort(8001).build())
                .withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/status/200")
                        .withPort(new IntOrString(8000)).endHttpGet().withInitialDelaySeconds(5).withPeriodSeconds(5)
                        .build())
                .endContainer()
                .endSpec();
    }

    static Service httpbinService() {
        return new ServiceBuilder().withNewMetadata().withName("httpbin").withNamespace("default")
                .withLabels(Map.of("app", "httpbin")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "httpbin"))
                .addToPorts(new ServicePortBuilder().withName("http").withPort(8000).build())
                .endSpec().build();
    }

    /** The liveness probe of the pod's first container, aimed at {@code port}. */
    static ProbeTarget target(Pod pod, NamespaceContext namespace, int port) {
        Container c = pod.getSpec().getContainers().get(0);
        return new ProbeTarget(pod, namespace, new ContainerRef(ContainerSection.CONTAINERS, 0, c.getName()), c,
                ProbeKind.LIVENESS, port);
    }

    static MtlsVerdict check(MtlsOracle oracle, Pod pod, NamespaceContext namespace, int port) {
        return oracle.check(target(pod, namespace, port));
    }

    static MeshPolicies.Builder mesh(GenericKubernetesResource... policies) {
        return MeshPolicies.builder().policies(List.of(policies)).services(List.of(httpbinService()));
    }
}
