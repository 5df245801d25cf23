package io.proberewriter.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.ContainerRef;
import io.proberewriter.engine.ContainerSection;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.engine.ProberInjection;
import io.proberewriter.engine.ProbeReplacement;
import io.proberewriter.engine.RewriteResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The JSON patch built from the engine's edits, on edits made by hand: its shape, its order, and what it does. */
class PodPatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Probe exec(String... command) {
        return new ProbeBuilder().withNewExec().withCommand(command).endExec().withTimeoutSeconds(1).build();
    }

    private static Probe httpGet(int port) {
        return new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(port)).endHttpGet()
                .build();
    }

    private static Container container(String name) {
        return new ContainerBuilder().withName(name).withImage("example/" + name).withLivenessProbe(httpGet(8080))
                .withReadinessProbe(httpGet(8080)).build();
    }

    private static ProbeReplacement replace(ContainerSection section, int index, String name, ProbeKind kind,
                                            Probe probe) {
        return new ProbeReplacement(new ContainerRef(section, index, name), kind, probe);
    }

    private static RewriteResult result(List<ProbeReplacement> replacements, Map<String, String> annotations) {
        return new RewriteResult(List.of(), List.of(), replacements, new TreeMap<>(annotations));
    }

    private static List<String> paths(ArrayNode patch) {
        List<String> paths = new ArrayList<>();
        patch.forEach(op -> paths.add(op.get("op").asText() + " " + op.get("path").asText()));
        return paths;
    }

    @Test
    void operationsAreSortedByPathWhateverTheOrderOfTheEdits() {
        List<ProbeReplacement> edits = new ArrayList<>(List.of(
                replace(ContainerSection.CONTAINERS, 1, "b", ProbeKind.READINESS, exec("true")),
                replace(ContainerSection.CONTAINERS, 0, "a", ProbeKind.LIVENESS, exec("true")),
                replace(ContainerSection.INIT_CONTAINERS, 0, "proxy", ProbeKind.STARTUP, exec("true")),
                replace(ContainerSection.CONTAINERS, 1, "b", ProbeKind.LIVENESS, exec("true"))));
        Map<String, String> annotations = Map.of("probe-rewriter.io/status", "s",
                "probe-rewriter.io/original-probes", "{}");
        ObjectMeta metadata = new ObjectMetaBuilder().withName("p").addToAnnotations("team", "a").build();
        ArrayNode first = PodPatch.of(result(edits, annotations), metadata, "").toTree();
        Collections.reverse(edits);
        ArrayNode second = PodPatch.of(result(edits, annotations), metadata, "").toTree();

        assertEquals(List.of(
                "add /metadata/annotations/probe-rewriter.io~1original-probes",
                "add /metadata/annotations/probe-rewriter.io~1status",
                "replace /spec/containers/0/livenessProbe",
                "replace /spec/containers/1/livenessProbe",
                "replace /spec/containers/1/readinessProbe",
                "replace /spec/initContainers/0/startupProbe"), paths(first));
        assertEquals(first.toString(), second.toString(), "the same edits must give the same bytes");
    }

    @Test
    void tildeAndSlashInAnAnnotationKeyAreEscapedAsJsonPointerRequires() {
        ObjectMeta metadata = new ObjectMetaBuilder().addToAnnotations("a~b/c", "old").build();
        ArrayNode patch = PodPatch.of(result(List.of(), Map.of("a~b/c", "new", "x/y~", "added")), metadata, "")
                .toTree();
        assertEquals(List.of("replace /metadata/annotations/a~0b~1c", "add /metadata/annotations/x~1y~0"), paths(patch));
        assertEquals("~0", PodPatch.escape("~"));
        assertEquals("~01", PodPatch.escape("~1"), "'~' is escaped first, or '~1' would read back as '/'");
    }

    @Test
    void thePodWithoutAnnotationsGetsTheWholeMapAndOneWithAnnotationsOneOperationPerKey() {
        Map<String, String> updates = Map.of("probe-rewriter.io/status", "s");
        assertEquals(List.of("add /metadata"), paths(PodPatch.of(result(List.of(), updates), null, "").toTree()),
                "no metadata at all");
        assertEquals("{\"annotations\":{\"probe-rewriter.io/status\":\"s\"}}",
                PodPatch.of(result(List.of(), updates), null, "").toTree().get(0).get("value").toString());
        assertEquals(List.of("add /metadata/annotations"),
                paths(PodPatch.of(result(List.of(), updates), new ObjectMeta(), "").toTree()),
                "metadata without annotations");
        assertEquals(List.of("add /metadata/annotations"), paths(PodPatch.of(result(List.of(), updates),
                new ObjectMetaBuilder().withAnnotations(Map.of()).build(), "").toTree()), "an empty map");
        ObjectMeta annotated = new ObjectMetaBuilder().addToAnnotations("probe-rewriter.io/status", "old")
                .addToAnnotations("team", "a").build();
        assertEquals(List.of("replace /metadata/annotations/probe-rewriter.io~1status"),
                paths(PodPatch.of(result(List.of(), updates), annotated, "").toTree()), "an existing key is replaced");
    }

    @Test
    void thePrefixAddressesThePodTemplateOfAController() {
        ArrayNode patch = PodPatch.of(result(
                List.of(replace(ContainerSection.CONTAINERS, 0, "a", ProbeKind.LIVENESS, exec("true"))),
                Map.of("probe-rewriter.io/status", "s")), new ObjectMeta(), "/spec/template").toTree();
        assertEquals(List.of("add /spec/template/metadata/annotations",
                "replace /spec/template/spec/containers/0/livenessProbe"),
                paths(patch));
    }

    @Test
    void valuesCarryNoNullFields() {
        ArrayNode patch = PodPatch.of(result(
                List.of(replace(ContainerSection.CONTAINERS, 0, "a", ProbeKind.LIVENESS, exec("true"))), Map.of()),
                new ObjectMeta(), "").toTree();
        assertEquals("{\"exec\":{\"command\":[\"true\"]},\"timeoutSeconds\":1}", patch.get(0).get("value").toString());
    }

    @Test
    void theBytesTheWebhookSendsAreTheTreeTheCliApplies() throws Exception {
        ProberInjection everything = new ProberInjection(
                Optional.of(new VolumeBuilder().withName("probe-rewriter-prober").withNewEmptyDir().endEmptyDir()
                        .build()), true,
                Optional.of(new ContainerBuilder().withName("probe-rewriter-prober").withImage("example/prober")
                        .withArgs("install", "/probe-rewriter/prober").build()), false,
                List.of(new ProberInjection.Mount(new ContainerRef(ContainerSection.CONTAINERS, 0, "app"),
                                new VolumeMountBuilder().withName("probe-rewriter-prober")
                                        .withMountPath("/probe-rewriter").withReadOnly(true).build(), true),
                        new ProberInjection.Mount(new ContainerRef(ContainerSection.CONTAINERS, 1, "worker"),
                                new VolumeMountBuilder().withName("probe-rewriter-prober")
                                        .withMountPath("/probe-rewriter").build(), false)));
        RewriteResult edits = new RewriteResult(List.of(), List.of(), List.of(
                replace(ContainerSection.CONTAINERS, 1, "worker", ProbeKind.READINESS, exec("curl", "localhost")),
                replace(ContainerSection.CONTAINERS, 0, "app", ProbeKind.STARTUP, httpGet(9090))),
                new TreeMap<>(Map.of("probe-rewriter.io/status", "rewritten", "a/b~c", "d")), everything);
        ObjectMeta annotated = new ObjectMetaBuilder().addToAnnotations("a/b~c", "old").build();

        for (ObjectMeta metadata : Arrays.asList(null, new ObjectMeta(), annotated)) {
            PodPatch patch = PodPatch.of(edits, metadata, "/spec/template");
            assertEquals(patch.toTree(), JSON.readTree(patch.toJson()), "metadata " + metadata);
            assertEquals(patch.operations().size(), patch.toTree().size());
        }
        PodPatch patch = PodPatch.of(edits, annotated, "");
        assertEquals(List.of("replace /metadata/annotations/a~1b~0c",
                "add /metadata/annotations/probe-rewriter.io~1status",
                "replace /spec/containers/0/startupProbe", "add /spec/containers/0/volumeMounts",
                "replace /spec/containers/1/readinessProbe", "add /spec/containers/1/volumeMounts/-",
                "add /spec/volumes", "add /spec/initContainers/0"), paths(patch.toTree()));
        assertEquals("[{\"emptyDir\":{},\"name\":\"probe-rewriter-prober\"}]",
                patch.toTree().get(6).get("value").toString(), "the first volume is added as a list");
    }

    @Test
    void nothingToDoIsAnEmptyPatch() {
        assertEquals("[]", PodPatch.of(result(List.of(), Map.of()), new ObjectMeta(), "").toTree().toString());
    }

    /**
     * A key to remove that the pod does not have gets no operation: RFC 6902 makes a {@code remove} of a missing
     * member an error, and the API server would refuse the whole patch, and with it the pod.
     */
    @Test
    void anAnnotationToRemoveThatThePodDoesNotHaveGetsNoOperation() {
        RewriteResult removals = new RewriteResult(List.of(), List.of(), List.of(), new TreeMap<>(),
                ProberInjection.none(), List.of(),
                new TreeSet<>(Set.of("probe-rewriter.io/status", "probe-rewriter.io/original-probes")));
        Pod statusOnly = new PodBuilder().withNewMetadata().withName("web").addToAnnotations("team", "a")
                .addToAnnotations("probe-rewriter.io/status", "s").endMetadata().withNewSpec()
                .addToContainers(container("app")).endSpec().build();
        Pod unannotated = new PodBuilder(statusOnly).editMetadata().withAnnotations(null).endMetadata().build();

        ArrayNode patch = PodPatch.of(removals, statusOnly.getMetadata(), "").toTree();
        assertEquals(List.of("remove /metadata/annotations/probe-rewriter.io~1status"), paths(patch));
        JsonNode patched = JsonPatch.apply(patch, JSON.valueToTree(statusOnly));
        assertEquals(JSON.valueToTree(new PodBuilder(statusOnly).editMetadata()
                .removeFromAnnotations("probe-rewriter.io/status").endMetadata().build()), patched);

        ArrayNode none = PodPatch.of(removals, unannotated.getMetadata(), "").toTree();
        assertEquals(List.of(), paths(none), "a pod without annotations has none to remove");
        assertEquals(JSON.valueToTree(unannotated), JsonPatch.apply(none, JSON.valueToTree(unannotated)));
    }

    @Test
    void appliedWithZjsonpatchThePatchGivesThePodTheEditsDescribe() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").addToAnnotations("team", "a").endMetadata()
                .withNewSpec()
                .addToInitContainers(new ContainerBuilder(container("proxy")).withRestartPolicy("Always").build())
                .addToContainers(container("app"), container("worker"))
                .endSpec().build();
        RewriteResult edits = result(List.of(
                replace(ContainerSection.CONTAINERS, 1, "worker", ProbeKind.READINESS, exec("curl", "localhost")),
                replace(ContainerSection.INIT_CONTAINERS, 0, "proxy", ProbeKind.LIVENESS, exec("true")),
                replace(ContainerSection.CONTAINERS, 0, "app", ProbeKind.LIVENESS, httpGet(9090))),
                Map.of("probe-rewriter.io/status", "rewritten", "team", "b"));

        JsonNode patched = JsonPatch.apply(PodPatch.of(edits, pod.getMetadata(), "").toTree(),
                JSON.valueToTree(pod));

        Pod expected = new PodBuilder(pod)
                .editMetadata().addToAnnotations("probe-rewriter.io/status", "rewritten")
                .addToAnnotations("team", "b").endMetadata()
                .editSpec()
                .editInitContainer(0).withLivenessProbe(exec("true")).endInitContainer()
                .editContainer(0).withLivenessProbe(httpGet(9090)).endContainer()
                .editContainer(1).withReadinessProbe(exec("curl", "localhost")).endContainer()
                .endSpec().build();
        assertEquals(JSON.valueToTree(expected), patched);
        assertEquals(JSON.valueToTree(AppliedRewrite.apply(edits, pod)), patched, "the patch and the engine's own edit agree");
    }
}
