package io.proberewriter.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the size of the mesh costs an admission: a cluster of N namespaces, each with a namespace-wide and a
 * workload PeerAuthentication and three Services, and a mesh-wide STRICT policy; the typical pod's three probes judged
 * by Istio's rules; the snapshot of the policies built from nothing, and rebuilt after one Service changed (on the
 * admission that first sees the change), reusing what the snapshot before read of the objects that did not change;
 * and the same rebuild without the Services, as a mesh of Istio 1.6 or later caches none.
 * Prints figures; asserts only that the work was done. Run with {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
class MeshScaleBenchmarkTest {

    @Test
    void anAdmissionCostsTheSameWhateverTheNumberOfNamespaces() {
        System.out.println();
        System.out.println("== Istio's rules over a mesh of N namespaces"
                + " (2 PeerAuthentications and 3 Services each) ==");
        for (int namespaces : new int[] {1, 100, 1_000, 10_000}) {
            List<GenericKubernetesResource> policies = new ArrayList<>();
            List<Service> services = new ArrayList<>();
            policies.add(peerAuthentication("istio-system", "default", "STRICT", null));
            for (int n = 0; n < namespaces; n++) {
                String namespace = "team-" + n;
                policies.add(peerAuthentication(namespace, "default", "STRICT", null));
                policies.add(peerAuthentication(namespace, "legacy-app", "PERMISSIVE", Map.of("app", "legacy")));
                for (int s = 0; s < 3; s++) {
                    services.add(new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName("svc-" + s)
                            .endMetadata().withNewSpec().withSelector(Map.of("app", "svc-" + s)).addNewPort()
                            .withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec()
                            .build());
                }
            }
            int builds = Math.max(10, 3_000 / namespaces);
            MeshPolicies mesh = null;
            long buildStart = System.nanoTime();
            for (int i = 0; i < builds; i++) {
                mesh = MeshPolicies.builder().policies(policies).services(services).build();
            }
            double buildMillis = (System.nanoTime() - buildStart) / 1e6 / builds;
            // As after an informer's update: one Service replaced by a new object, the others the same objects.
            long rebuildStart = System.nanoTime();
            for (int i = 0; i < builds; i++) {
                services.set(0, new ServiceBuilder(services.get(0)).build());
                mesh = MeshPolicies.builder().policies(policies).services(services).reusing(mesh).build();
            }
            double rebuildMillis = (System.nanoTime() - rebuildStart) / 1e6 / builds;
            // A mesh of Istio 1.6 or later caches no Service (no v1alpha1 Policy can name one): what a rebuild after a
            // PeerAuthentication's change costs there.
            MeshPolicies withoutServices = MeshPolicies.builder().policies(policies).build();
            long modernStart = System.nanoTime();
            for (int i = 0; i < builds; i++) {
                policies.set(1, new GenericKubernetesResourceBuilder(policies.get(1)).build());
                withoutServices = MeshPolicies.builder().policies(policies).reusing(withoutServices).build();
            }
            double modernRebuildMillis = (System.nanoTime() - modernStart) / 1e6 / builds;

            ProbeRewriter engine = new ProbeRewriter(GlobalSettings.defaults(), new IstioMtlsOracle(mesh));
            Pod pod = pod("team-" + (namespaces / 2));
            NamespaceContext namespace = NamespaceContext.unknown(pod.getMetadata().getNamespace());
            int warmup = Math.max(200, 200_000 / namespaces);
            int runs = Math.max(500, 500_000 / namespaces);
            int changed = 0;
            for (int i = 0; i < warmup; i++) {
                changed += engine.rewrite(pod, namespace).changed() ? 1 : 0;
            }
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                changed += engine.rewrite(pod, namespace).changed() ? 1 : 0;
            }
            double micros = (System.nanoTime() - start) / 1e3 / runs;
            assertTrue(changed > 0, "the probes are under STRICT mTLS and must be rewritten");
            System.out.printf(Locale.ROOT, "%,7d namespaces (%,6d policies, %,6d Services): %8.1f µs per admission,"
                    + " %8.2f ms per snapshot build, %7.2f ms per rebuild after one change, %7.2f ms without the"
                    + " Services%n", namespaces, policies.size(), services.size(), micros, buildMillis, rebuildMillis,
                    modernRebuildMillis);
            assertTrue(withoutServices.ignored().isEmpty(), "every policy read: " + withoutServices.ignored());
        }
    }

    private static GenericKubernetesResource peerAuthentication(String namespace, String name, String mode,
                                                                Map<String, String> selector) {
        Map<String, Object> spec = new java.util.LinkedHashMap<>();
        spec.put("mtls", Map.of("mode", mode));
        if (selector != null) {
            spec.put("selector", Map.of("matchLabels", selector));
        }
        return new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1")
                .withKind("PeerAuthentication").withNewMetadata().withNamespace(namespace).withName(name)
                .withCreationTimestamp("2024-01-01T00:00:00Z").endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    private static Pod pod(String namespace) {
        ContainerBuilder container = new ContainerBuilder().withName("app").withImage("example/app:1.0")
                .withLivenessProbe(probe("/healthz")).withReadinessProbe(probe("/ready"))
                .withStartupProbe(probe("/started"));
        return new PodBuilder().withNewMetadata().withName("bench").withNamespace(namespace)
                .withLabels(Map.of("app", "svc-1")).addToAnnotations("sidecar.istio.io/status", "{}").endMetadata()
                .withNewSpec().withContainers(container.build(), new ContainerBuilder().withName("istio-proxy")
                        .withImage("istio/proxyv2").build()).endSpec().build();
    }

    private static Probe probe(String path) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(8080)).endHttpGet()
                .withPeriodSeconds(10).build();
    }
}
