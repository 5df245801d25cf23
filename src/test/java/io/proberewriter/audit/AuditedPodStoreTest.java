package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.proberewriter.bench.wire.BenchmarkPods;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.manifest.MeshPolicyDocuments;
import io.proberewriter.manifest.PodTemplateSite;
import io.proberewriter.manifest.PodTemplates;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.scope.WebhookScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The audit's pod store: what it leaves out of a Deployment-made pod and what it keeps, and that neither the audit's
 * finding nor the engine's result changes for any golden case's pod when the fields it leaves out are there.
 */
class AuditedPodStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPodIsStoredWithoutWhatNothingReadsAndWithWhatTheAuditAndTheEngineRead() throws Exception {
        Pod pod = typicalRunningPod();
        Pod original = copy(pod);
        AuditedPodStore store = new AuditedPodStore();

        String key = store.getKey(pod);
        store.put(key, pod);

        assertEquals("shop/checkout-7d9f8b6c5d-x2x9k", key, "fabric8's default key, namespace/name");
        Pod stored = store.get(key);
        assertSame(pod, stored, "changed in place: the informer's handlers get the same object");
        Container app = stored.getSpec().getContainers().get(0);
        Container was = original.getSpec().getContainers().get(0);

        // Dropped.
        assertNull(stored.getMetadata().getManagedFields());
        assertNull(app.getEnv());
        assertNull(app.getEnvFrom());
        assertNull(app.getCommand());
        assertNull(app.getSecurityContext());
        assertNull(app.getImagePullPolicy());
        assertNull(app.getTerminationMessagePath());
        assertNull(stored.getSpec().getInitContainers().get(0).getEnv());
        assertNull(stored.getSpec().getTolerations());
        assertNull(stored.getSpec().getEphemeralContainers());
        assertNull(stored.getStatus().getConditions());
        assertNull(stored.getStatus().getContainerStatuses());
        assertNull(stored.getStatus().getPodIP());

        // Kept: everything of the metadata but the managed fields, the pod-level spec the engine reads.
        original.getMetadata().setManagedFields(null);
        assertEquals(original.getMetadata(), stored.getMetadata(), "labels, annotations, owner references, uid, ...");
        assertEquals(original.getSpec().getVolumes(), stored.getSpec().getVolumes());
        assertEquals(original.getSpec().getSecurityContext(), stored.getSpec().getSecurityContext());
        assertEquals(original.getSpec().getNodeSelector(), stored.getSpec().getNodeSelector());
        assertEquals(original.getSpec().getAffinity(), stored.getSpec().getAffinity());
        assertEquals(original.getSpec().getResources(), stored.getSpec().getResources());
        assertEquals("Running", stored.getStatus().getPhase(), "a finished pod is not judged");
        // Kept: of each container, what the engine reads.
        assertEquals(was.getName(), app.getName());
        assertEquals(was.getImage(), app.getImage());
        assertEquals(was.getArgs(), app.getArgs());
        assertEquals(was.getPorts(), app.getPorts());
        assertEquals(was.getLivenessProbe(), app.getLivenessProbe());
        assertEquals(was.getReadinessProbe(), app.getReadinessProbe());
        assertEquals(was.getStartupProbe(), app.getStartupProbe());
        assertEquals(was.getLifecycle(), app.getLifecycle());
        assertEquals(was.getResources(), app.getResources());
        assertEquals(was.getVolumeMounts(), app.getVolumeMounts());
        assertNotNull(app.getLivenessProbe().getHttpGet());
        Container sidecar = stored.getSpec().getInitContainers().get(0);
        Container sidecarWas = original.getSpec().getInitContainers().get(0);
        assertEquals("Always", sidecar.getRestartPolicy(), "a native sidecar stays one");
        assertEquals(sidecarWas.getImage(), sidecar.getImage());
        assertEquals(sidecarWas.getArgs(), sidecar.getArgs());
        assertEquals(sidecarWas.getReadinessProbe(), sidecar.getReadinessProbe());
    }

    @Test
    void aPodWithoutMetadataSpecOrStatusIsStoredAsItIs() {
        Pod bare = new Pod();
        AuditedPodStore store = new AuditedPodStore();
        store.put("bare", bare);
        assertSame(bare, store.get("bare"));
        assertEquals(new Pod(), bare);
    }

    /**
     * Every golden case's pods, given every field the store leaves out (with values that would matter to a reader:
     * env vars of Istio's probe rewrite, a curl command, root, a running status), judged by the audit and rewritten
     * by the engine as they are and as the store keeps them: the same finding and the same result, in the case's
     * own mode and in port and prober mode. A field the engine starts reading must be kept by the store.
     */
    @TestFactory
    Stream<DynamicTest> theAuditJudgesEveryGoldenPodAlikeWithoutTheFieldsLeftOut() throws Exception {
        List<Map<String, String>> modes = List.of(Map.of(), Map.of(Annotations.MODE, "port"),
                Map.of(Annotations.MODE, "exec", Annotations.EXEC_COMMAND, "prober"));
        return GoldenCase.all().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<SourceDocument> inputs = c.inputs();
            ProbeRewriter engine = new ProbeRewriter(GlobalSettings.defaults(), oracle(c, inputs));
            List<LimitRange> limitRanges = GoldenCluster.limitRanges(inputs);
            Map<String, Namespace> namespaces = new HashMap<>();
            GoldenCluster.namespaces(c, inputs, "istio".equals(c.resolver()))
                    .forEach(ns -> namespaces.put(ns.getMetadata().getName(), ns));
            int judged = 0;
            for (SourceDocument document : inputs) {
                for (PodTemplateSite site : PodTemplates.find(document)) {
                    String namespace = GoldenCluster.namespaceOf(site);
                    for (Map<String, String> mode : modes) {
                        Namespace ns = withDefaults(namespaces.get(namespace), mode);
                        NamespaceView view = NamespaceView.of(ns)
                                .withContainerLimits(GoldenCluster.containerLimits(limitRanges, namespace));
                        Pod full = withEverythingLeftOut(JSON.treeToValue(site.template(), Pod.class), namespace);
                        Pod kept = copy(full);
                        AuditedPodStore.dropFieldsNotRead(kept);
                        assertNotEquals(full, kept, "the pod must carry what the store leaves out");

                        String what = site.workload() + " with " + mode;
                        WebhookScope scope = WebhookScope.unknown("no configuration in a golden case");
                        assertEquals(PodAudit.examine(full, view, "probe-rewriter", scope, engine),
                                PodAudit.examine(kept, view, "probe-rewriter", scope, engine), what);
                        assertEquals(engine.rewrite(full, view.context()), engine.rewrite(kept, view.context()), what);
                        judged++;
                    }
                }
            }
            assertTrue(judged > 0 || c.name().startsWith("passthrough"), "no pods in " + c.name());
        }));
    }

    /** The case's resolver, as the CLI would choose it, with Istio's mesh settings left at their defaults. */
    private static MtlsOracle oracle(GoldenCase c, List<SourceDocument> inputs) {
        return switch (c.resolver()) {
            case "annotation" -> new AnnotationMtlsOracle();
            case "istio" -> new IstioMtlsOracle(MeshPolicyDocuments.read(inputs, "default",
                    () -> MeshPolicies.builder().legacyGlobalMtls(c.flags().contains("--istio-global-mtls")))
                    .policies());
            default -> new AssumeAllMtlsOracle();
        };
    }

    /** The namespace with the mode's annotations where it sets none of its own; remediation asked. */
    private static Namespace withDefaults(Namespace namespace, Map<String, String> mode) {
        Namespace copy = copy(namespace, Namespace.class);
        Map<String, String> annotations = new HashMap<>(mode);
        if (copy.getMetadata().getAnnotations() != null) {
            annotations.putAll(copy.getMetadata().getAnnotations());
        }
        annotations.put(Annotations.REMEDIATE, "true");
        copy.getMetadata().setAnnotations(annotations);
        return copy;
    }

    /**
     * The pod as a controller would have it created and the kubelet run it, with every field the store leaves out
     * that it does not have already, each given a value a reader could act on.
     */
    private static Pod withEverythingLeftOut(Pod pod, String namespace) {
        if (pod.getMetadata() == null) {
            pod.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        }
        pod.getMetadata().setNamespace(namespace);
        if (pod.getMetadata().getName() == null) {
            pod.getMetadata().setName("golden-pod");
        }
        pod.getMetadata().setUid("8d6f0e4a-1b2c-4d3e-9f8a-7b6c5d4e3f2a");
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        for (Container container : all) {
            if (container.getEnv() == null || container.getEnv().isEmpty()) {
                container.setEnv(List.of(new EnvVar("ISTIO_KUBE_APP_PROBERS", "{\"/app-health/app/livez\":{}}", null),
                        new EnvVar("PORT", "8080", null)));
            }
            if (container.getEnvFrom() == null || container.getEnvFrom().isEmpty()) {
                container.setEnvFrom(new ContainerBuilder().addNewEnvFrom().withNewConfigMapRef("settings", false)
                        .endEnvFrom().build().getEnvFrom());
            }
            if (container.getCommand() == null || container.getCommand().isEmpty()) {
                container.setCommand(List.of("curl", "-f", "http://localhost:8080/healthz"));
            }
            if (container.getSecurityContext() == null) {
                container.setSecurityContext(new ContainerBuilder().withNewSecurityContext().withRunAsUser(0L)
                        .withRunAsNonRoot(false).withNewCapabilities().addToAdd("NET_ADMIN").endCapabilities()
                        .endSecurityContext().build().getSecurityContext());
            }
            container.setWorkingDir(container.getWorkingDir() == null ? "/srv" : container.getWorkingDir());
            container.setImagePullPolicy(container.getImagePullPolicy() == null ? "Always"
                    : container.getImagePullPolicy());
            container.setTerminationMessagePath("/dev/termination-log");
            container.setTerminationMessagePolicy("FallbackToLogsOnError");
            container.setStdin(true);
            container.setTty(true);
            container.setVolumeDevices(new ContainerBuilder().addNewVolumeDevice().withName("raw")
                    .withDevicePath("/dev/xvda").endVolumeDevice().build().getVolumeDevices());
            container.setResizePolicy(new ContainerBuilder().addNewResizePolicy().withResourceName("cpu")
                    .withRestartPolicy("RestartContainer").endResizePolicy().build().getResizePolicy());
        }
        pod.getSpec().setTolerations(List.of(new TolerationBuilder().withKey("node.kubernetes.io/not-ready")
                .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(300L).build()));
        pod.getSpec().setEphemeralContainers(List.of(new EphemeralContainerBuilder().withName("debugger")
                .withImage("busybox").withTargetContainerName(pod.getSpec().getContainers().get(0).getName())
                .withCommand("sh").build()));
        pod.getSpec().setImagePullSecrets(List.of(new io.fabric8.kubernetes.api.model.LocalObjectReference("pull")));
        pod.getSpec().setOverhead(Map.of("memory", new Quantity("120Mi")));
        pod.getSpec().setDnsConfig(new io.fabric8.kubernetes.api.model.PodDNSConfigBuilder()
                .addToNameservers("10.0.0.10").build());
        pod.setStatus(runningStatus(pod.getSpec().getContainers().get(0).getName()));
        return pod;
    }

    /** What the kubelet reports of a pod whose probe fails: running, not ready, restarted. */
    static PodStatus runningStatus(String container) {
        return new PodStatusBuilder().withPhase("Running").withHostIP("10.0.3.17").withPodIP("10.244.1.23")
                .addNewPodIP("10.244.1.23").addNewHostIP("10.0.3.17").withStartTime("2026-11-02T10:14:09Z")
                .withQosClass("Burstable")
                .addNewCondition().withType("Ready").withStatus("False").withReason("ContainersNotReady")
                .withLastTransitionTime("2026-11-02T10:14:09Z").endCondition()
                .addNewCondition().withType("PodScheduled").withStatus("True")
                .withLastTransitionTime("2026-11-02T10:14:07Z").endCondition()
                .addNewContainerStatus().withName(container).withReady(false).withRestartCount(7)
                .withImage("registry.example.com/shop/checkout:2.14.1")
                .withImageID("registry.example.com/shop/checkout@sha256:" + "4f".repeat(32))
                .withContainerID("containerd://" + "9a".repeat(32))
                .withNewState().withNewRunning().withStartedAt("2026-11-02T10:31:40Z").endRunning().endState()
                .withNewLastState().withNewTerminated().withExitCode(137).withReason("Error")
                .withStartedAt("2026-11-02T10:29:10Z").withFinishedAt("2026-11-02T10:31:39Z").endTerminated()
                .endLastState().endContainerStatus()
                .build();
    }

    /**
     * The wire benchmark's Deployment-made pod (60 env vars, managed fields) as the audit's informer gets it once it
     * runs: named, with a uid and a resource version, a native sidecar and a preStop hook, and a running status.
     */
    static Pod typicalRunningPod() throws Exception {
        ObjectNode json = BenchmarkPods.typicalPod();
        ObjectNode metadata = (ObjectNode) json.get("metadata");
        metadata.put("name", "checkout-7d9f8b6c5d-x2x9k").put("uid", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")
                .put("resourceVersion", "48213");
        Pod pod = JSON.treeToValue(json, Pod.class);
        Container app = pod.getSpec().getContainers().get(0);
        app.setArgs(List.of("--port=8080"));
        app.setCommand(List.of("/app/checkout"));
        app.setEnvFrom(new ContainerBuilder().addNewEnvFrom().withNewSecretRef("checkout-secrets", false)
                .endEnvFrom().build().getEnvFrom());
        app.setLifecycle(new ContainerBuilder().withNewLifecycle().withNewPreStop().withNewHttpGet().withPath("/drain")
                .withPort(new IntOrString(8080)).endHttpGet().endPreStop().endLifecycle().build().getLifecycle());
        pod.getSpec().setInitContainers(List.of(new ContainerBuilder().withName("log-shipper")
                .withImage("registry.example.com/log-shipper:1.2").withRestartPolicy("Always")
                .withArgs("--target=http://collector:4318").addNewEnv().withName("SHIPPER_TOKEN").withValue("t")
                .endEnv().withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString(4318))
                .endHttpGet().endReadinessProbe().build()));
        pod.getSpec().setNodeSelector(Map.of("kubernetes.io/os", "linux"));
        pod.getSpec().setEphemeralContainers(List.of(new EphemeralContainerBuilder().withName("debugger")
                .withImage("busybox").build()));
        pod.setStatus(runningStatus(app.getName()));
        return pod;
    }

    private static Pod copy(Pod pod) {
        return copy(pod, Pod.class);
    }

    private static <T> T copy(T object, Class<T> type) {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(object), type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
