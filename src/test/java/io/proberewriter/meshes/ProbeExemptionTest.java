package io.proberewriter.meshes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which pods' probes never meet mTLS, read from the pod and its namespace alone. */
class ProbeExemptionTest {

    private static PodBuilder app() {
        return new PodBuilder().withNewMetadata().withName("app").withNamespace("apps").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec();
    }

    private static Optional<ProbeExemption> of(Pod pod, Map<String, String> namespaceLabels) {
        return ProbeExemption.of(pod, "apps", namespaceLabels);
    }

    @Test
    void anOrdinaryPodIsNotExempt() {
        assertEquals(Optional.empty(), of(app().build(), Map.of("istio-injection", "enabled")));
    }

    @Test
    void hostNetworkCoversEveryProbe() {
        Pod pod = app().editSpec().withHostNetwork(true).endSpec().build();
        ProbeExemption exemption = of(pod, Map.of("istio-injection", "enabled")).orElseThrow();
        assertTrue(exemption.reason().startsWith("hostNetwork: true: the pod uses the node's network"), exemption.reason());
        assertFalse(exemption.httpOnly());
    }

    @Test
    void ambientFromTheNamespaceOrThePod() {
        ProbeExemption fromNamespace = of(app().build(), Map.of("istio.io/dataplane-mode", "ambient")).orElseThrow();
        assertTrue(fromNamespace.reason().contains("namespace apps label istio.io/dataplane-mode=ambient"),
                fromNamespace.reason());
        assertTrue(fromNamespace.reason().contains("169.254.7.127"), fromNamespace.reason());
        assertFalse(fromNamespace.httpOnly());
        Pod labelled = app().editMetadata().addToLabels("istio.io/dataplane-mode", "ambient").endMetadata().build();
        assertTrue(of(labelled, Map.of()).orElseThrow().reason().contains("pod label istio.io/dataplane-mode=ambient"));
    }

    @Test
    void ambientGivesWayToASidecarAndToThePodsOptOut() {
        Map<String, String> ambient = Map.of("istio.io/dataplane-mode", "ambient");
        Pod sidecarAsked = app().editMetadata().addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
        assertFalse(of(sidecarAsked, ambient).isPresent());
        Pod injected = app().editSpec().addNewContainer().withName("istio-proxy").endContainer().endSpec().build();
        assertFalse(of(injected, ambient).isPresent());
        Map<String, String> bothLabels = Map.of("istio.io/dataplane-mode", "ambient", "istio-injection", "enabled");
        assertFalse(of(app().build(), bothLabels).isPresent(), "the namespace injects sidecars: they take precedence");
        Pod optedOut = app().editMetadata().addToLabels("istio.io/dataplane-mode", "none").endMetadata().build();
        assertFalse(of(optedOut, ambient).isPresent());
    }

    @ParameterizedTest(name = "transparent-proxy={0} overwrite-probes={1} -> exempt {2}")
    @CsvSource(nullValues = "-", value = {
            "-,     -,     true",
            "true,  true,  true",
            "-,     false, false",
            "false, -,     false",
            "-,     yes,   true", // not a Go boolean: Consul ignores it and keeps its default
    })
    void consulCarriesHttpProbesUnlessThePodTurnsItOff(String transparentProxy, String overwrite, boolean exempt) {
        PodBuilder pod = app().editMetadata().addToAnnotations("consul.hashicorp.com/connect-inject", "true").endMetadata();
        if (transparentProxy != null) {
            pod.editMetadata().addToAnnotations("consul.hashicorp.com/transparent-proxy", transparentProxy).endMetadata();
        }
        if (overwrite != null) {
            pod.editMetadata().addToAnnotations("consul.hashicorp.com/transparent-proxy-overwrite-probes", overwrite)
                    .endMetadata();
        }
        Optional<ProbeExemption> exemption = of(pod.build(), Map.of());
        assertEquals(exempt, exemption.isPresent(), exemption.toString());
        exemption.ifPresent(e -> assertTrue(e.httpOnly(), "Consul overwrites HTTP probes only"));
    }

    @Test
    void notConsulInjectedIsNotConsulsBusiness() {
        Pod pod = app().editMetadata().addToAnnotations("consul.hashicorp.com/transparent-proxy-overwrite-probes", "true")
                .endMetadata().build();
        assertFalse(of(pod, Map.of()).isPresent());
    }

    @Test
    void kumaProbeProxyCoversEveryProbeVirtualProbesOnlyHttp() {
        Map<String, String> meshed = Map.of("kuma.io/sidecar-injection", "enabled");
        ProbeExemption proxy = of(app().build(), meshed).orElseThrow();
        assertTrue(proxy.reason().startsWith("Kuma's application probe proxy"), proxy.reason());
        assertFalse(proxy.httpOnly());

        Pod noProxy = app().editMetadata().addToAnnotations("kuma.io/application-probe-proxy-port", "0").endMetadata()
                .build();
        ProbeExemption virtual = of(noProxy, meshed).orElseThrow();
        assertTrue(virtual.reason().startsWith("Kuma's virtual probes"), virtual.reason());
        assertTrue(virtual.httpOnly());

        Pod neither = app().editMetadata().addToAnnotations("kuma.io/application-probe-proxy-port", "0")
                .addToAnnotations("kuma.io/virtual-probes", "disabled").endMetadata().build();
        assertFalse(of(neither, meshed).isPresent());
    }

    @Test
    void kumaFromThePodOrItsInjectedSidecar() {
        Pod podAnnotated = app().editMetadata().addToAnnotations("kuma.io/sidecar-injection", "enabled").endMetadata()
                .build();
        assertTrue(of(podAnnotated, Map.of()).isPresent());
        Pod podDisabled = app().editMetadata().addToLabels("kuma.io/sidecar-injection", "disabled").endMetadata()
                .build();
        assertFalse(of(podDisabled, Map.of("kuma.io/sidecar-injection", "enabled")).isPresent(),
                "the pod's choice beats the namespace's");
        Pod injected = app().editSpec().addNewContainer().withName("kuma-sidecar").endContainer().endSpec().build();
        assertTrue(of(injected, Map.of()).isPresent());
    }
}
