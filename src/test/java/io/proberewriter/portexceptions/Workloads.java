package io.proberewriter.portexceptions;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workloads as users write them for port mode: an app serving traffic on 8000 with its liveness probe there, and a
 * plaintext health port 8081 named {@code health}.
 */
final class Workloads {

    static final Map<String, String> LABELS = Map.of("app", "web", "tier", "front");

    private Workloads() {
    }

    /** A Deployment in port mode with health port {@code healthPort} (a number or a name). */
    static DeploymentBuilder portMode(String namespace, String name, String healthPort) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("probe-rewriter.io/mode", "port");
        annotations.put("probe-rewriter.io/health-port", healthPort);
        return new DeploymentBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withUid("uid-" + name).endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(LABELS).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .addToContainers(new ContainerBuilder().withName("app").withImage("example/web:1.0")
                        .addNewPort().withContainerPort(8000).withName("http").endPort()
                        .addNewPort().withContainerPort(8081).withName("health").endPort()
                        .addNewPort().withContainerPort(8082).withName("health2").endPort()
                        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(8000))
                        .endHttpGet().withPeriodSeconds(5).endLivenessProbe()
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec();
    }

    static Deployment deployment(String namespace, String name, String healthPort) {
        return portMode(namespace, name, healthPort).build();
    }

    /** A Service selecting the workload's pods: port 80 → 8000 and, when {@code exposeHealth}, 9000 → "health". */
    static Service service(String namespace, String name, boolean exposeHealth) {
        ServiceBuilder builder = new ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web"))
                .addToPorts(new ServicePortBuilder().withName("http").withPort(80).withTargetPort(new IntOrString(8000)).build())
                .endSpec();
        if (exposeHealth) {
            builder.editSpec().addToPorts(new ServicePortBuilder().withName("health").withPort(9000)
                    .withTargetPort(new IntOrString("health")).build()).endSpec();
        }
        return builder.build();
    }

    /** A PeerAuthentication written by someone else. */
    static GenericKubernetesResource foreignPeerAuthentication(String namespace, String name, String created,
                                                                Map<String, String> matchLabels, String mode,
                                                                Map<String, String> portLevel) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("security.istio.io/v1");
        resource.setKind("PeerAuthentication");
        resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(namespace)
                .withName(name).withCreationTimestamp(created).build());
        Map<String, Object> spec = new LinkedHashMap<>();
        if (matchLabels != null) {
            spec.put("selector", Map.of("matchLabels", matchLabels));
        }
        if (mode != null) {
            spec.put("mtls", Map.of("mode", mode));
        }
        if (portLevel != null && !portLevel.isEmpty()) {
            Map<String, Object> ports = new LinkedHashMap<>();
            portLevel.forEach((port, portMode) -> ports.put(port, Map.of("mode", portMode)));
            spec.put("portLevelMtls", ports);
        }
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }

    /** Mesh-wide STRICT: every port of every sidecar refuses the kubelet's plaintext. */
    static GenericKubernetesResource meshStrict() {
        return foreignPeerAuthentication("istio-system", "default", "2024-01-01T00:00:00Z", null, "STRICT", null);
    }

    static List<String> names(List<GenericKubernetesResource> resources) {
        return resources.stream().map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()).toList();
    }
}
