package io.proberewriter.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.proberewriter.engine.Action;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeDecision;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.patch.PodPatch;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the rewrite on pods grown to what the API server can send a mutating webhook (3 MiB, validated only
 * afterwards): whatever their size, every line the engine writes stays short, a rewritten pod stays within the API
 * server's 256 KiB for annotations, its patch applies and is a fixed point, and a pod whose rewrite would not fit is
 * left unchanged, saying why. How long it takes is the scale benchmark's to show, not a test's.
 */
class LargePodsTest {

    /** Longer than any line the engine writes for these pods, far shorter than the values they carry. */
    private static final int LONGEST_LINE = 2_000;
    private static final NamespaceContext NAMESPACE = NamespaceContext.unknown("default");
    private static final String LIMIT_WORDS = "limit of 262,144 bytes (256 KiB";

    private static ProbeRewriter engine(MtlsOracle oracle) {
        return new ProbeRewriter(GlobalSettings.defaults(), oracle);
    }

    static Stream<Arguments> podsAtTheLimits() {
        MtlsOracle assumeAll = new AssumeAllMtlsOracle();
        ObjectNode withNames = ScalePods.withContainers(20_000, 1);
        StringBuilder names = new StringBuilder();
        for (int i = 0; names.length() < 2_500_000; i++) {
            names.append("no-such-port-").append(i).append(',');
        }
        ScalePods.annotate(withNames, "probe-rewriter.io/mtls-ports", names.toString());
        return Stream.of(
                Arguments.of("the largest request of one-probe containers", ScalePods.largestLegal(1024), assumeAll),
                Arguments.of("3 probes in each of 15,000 containers", ScalePods.withContainers(15_000, 3), assumeAll),
                Arguments.of("the issue's pod", ScalePods.theIssuesPod(), assumeAll),
                Arguments.of("70,000 annotations naming no container",
                        ScalePods.withAnnotationsNamingNoContainer(70_000, 100), assumeAll),
                Arguments.of("a 2.9 MiB invalid pod annotation on 1,000 containers", ScalePods.annotate(
                        ScalePods.withContainers(1_000, 3), "probe-rewriter.io/mode", "x".repeat(2_900_000)),
                        assumeAll),
                Arguments.of("1,000 health ports merged into 10,000 ranges", ScalePods.withHealthPorts(1_000, 10_000),
                        assumeAll),
                Arguments.of("a 2.5 MB mtls-ports list of names on 20,000 containers", withNames,
                        new AnnotationMtlsOracle()),
                Arguments.of("a 2.5 MB includeInboundPorts on 20,000 containers (istio)", ScalePods.annotate(
                        ScalePods.withContainers(20_000, 1), "traffic.sidecar.istio.io/includeInboundPorts",
                        "9".repeat(2_500_000)), new IstioMtlsOracle(MeshPolicies.empty())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podsAtTheLimits")
    void theRewriteOfAPodAtTheLimitsStaysWithinThem(String shape, ObjectNode pod, MtlsOracle oracle) {
        checkProperties(pod, engine(oracle));
    }

    @Test
    void aPodWhoseRewriteWouldPassTheAnnotationLimitIsLeftUnchangedWithTheReason() {
        ObjectNode json = ScalePods.largestLegal(1024);
        RewriteResult result = engine(new AssumeAllMtlsOracle()).rewrite(ScalePods.toPod(json), NAMESPACE);

        assertFalse(result.changed());
        int containers = ScalePods.containerCount(json);
        assertEquals(containers, result.decisions().size());
        for (ProbeDecision decision : result.decisions()) {
            assertEquals(Action.UNCHANGED, decision.action(), decision.toString());
            assertTrue(decision.brokenByMtls() && decision.reason().contains(LIMIT_WORDS), decision.toString());
        }
        String warning = result.warnings().get(0);
        assertEquals(String.format(java.util.Locale.ROOT, "%,d probes to rewrite left unchanged: recording them"
                + " would take the pod's annotations past the API server's 256 KiB,"
                + " and the pod would be refused; rewrite fewer (probe-rewriter.io/mode.<container>: off) or split"
                + " the pod", containers), warning);
        // The webhook sends each warning after "probe-rewriter: " and cuts the line at 256 characters; the advice
        // at its end must survive that, even for a pod of a hundred thousand probes.
        String widest = warning.replace(String.format(java.util.Locale.ROOT, "%,d", containers), "100,000");
        assertTrue("probe-rewriter: ".length() + widest.length() <= 256, widest.length() + ": " + widest);
        assertTrue(result.warnings().stream().noneMatch(w -> w.contains("must exist in its image")),
                () -> "no exec probe was added: " + first(result.warnings()));
    }

    @Test
    void aPodWhoseAnnotationsAreAlreadyPastTheLimitIsSaidToBeRefusedWhateverWeDo() {
        ObjectNode json = ScalePods.withAnnotationsNamingNoContainer(10_000, 10);
        RewriteResult result = engine(new AssumeAllMtlsOracle()).rewrite(ScalePods.toPod(json), NAMESPACE);

        assertFalse(result.changed());
        assertEquals(String.format(java.util.Locale.ROOT, "the pod's annotations already take %,d bytes, past the API"
                        + " server's limit of 262,144 bytes (256 KiB, all annotations together): the pod will be refused;"
                        + " its 10 probes to rewrite left unchanged", ScalePods.annotationBytes(json)),
                result.warnings().get(0));
    }

    /**
     * The most containers whose rewrite still fits is found by bisection, for annotations already on the pod of
     * several sizes (multi-byte characters included): that many are rewritten within the limit, one more is not.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 100_000, 200_000, 250_000})
    void probesAreRewrittenUpToTheAnnotationLimitAndNoFurther(int padding) {
        ProbeRewriter engine = engine(new AssumeAllMtlsOracle());
        // "é" is one character and two bytes: the limit counts bytes.
        String pad = "é".repeat(padding / 2) + "x".repeat(padding % 2);
        int low = 0;
        int high = 20_000;
        while (high - low > 1) {
            int middle = (low + high) / 2;
            RewriteResult result = engine.rewrite(ScalePods.toPod(padded(middle, pad)), NAMESPACE);
            if (result.changed()) {
                low = middle;
            } else {
                high = middle;
            }
        }
        ObjectNode fits = padded(low, pad);
        if (low > 0) {
            JsonNode patched = checkProperties(fits, engine);
            long bytes = ScalePods.annotationBytes(patched);
            // The next probe's record ("cN/liveness":{"httpGet":{"port":8080}}) and status entry are under 100 bytes.
            assertTrue(bytes > ScalePods.ANNOTATIONS_LIMIT - 100, "refused too early: " + low + " probes, " + bytes
                    + " bytes");
        }
        RewriteResult tooMany = engine.rewrite(ScalePods.toPod(padded(high, pad)), NAMESPACE);
        assertFalse(tooMany.changed());
        assertTrue(tooMany.warnings().get(0).contains("past the API server's 256 KiB"), tooMany.warnings().get(0));
    }

    /** Random pods around the annotation limit: names, values and padding with characters of 1 to 4 bytes. */
    @Test
    void randomPodsNearTheAnnotationLimitKeepTheProperties() {
        Random random = new Random(20261130L);
        ProbeRewriter engine = engine(new AssumeAllMtlsOracle());
        String[] alphabet = {"a", "z", "0", "-", "é", "日", "😀"};
        for (int round = 0; round < 60; round++) {
            int containers = 1 + random.nextInt(600);
            ObjectNode pod = ScalePods.withContainers(containers, 1 + random.nextInt(3));
            ArrayNode list = (ArrayNode) pod.at("/spec/containers");
            for (JsonNode container : list) {
                StringBuilder name = new StringBuilder(container.path("name").asText());
                for (int i = random.nextInt(4); i > 0; i--) {
                    name.append(alphabet[random.nextInt(alphabet.length)]);
                }
                ((ObjectNode) container).put("name", name.toString());
            }
            StringBuilder pad = new StringBuilder();
            int target = random.nextInt(ScalePods.ANNOTATIONS_LIMIT + 1000);
            while (pad.length() < target / 2) {
                pad.append(alphabet[random.nextInt(alphabet.length)]);
            }
            ScalePods.annotate(pod, "example.com/padding", pad.toString());
            if (random.nextBoolean()) {
                ScalePods.annotate(pod, "probe-rewriter.io/mode", random.nextBoolean() ? "port" : "exec");
                ScalePods.annotate(pod, "probe-rewriter.io/health-port", Integer.toString(1 + random.nextInt(65535)));
            }
            checkProperties(pod, engine);
        }
    }

    /** Returns the patched pod (the pod itself when unchanged). */
    private static JsonNode checkProperties(ObjectNode json, ProbeRewriter engine) {
        Pod pod = ScalePods.toPod(json);
        RewriteResult result = engine.rewrite(pod, NAMESPACE);
        for (String warning : result.warnings()) {
            assertTrue(warning.length() <= LONGEST_LINE, () -> "warning of " + warning.length() + " characters: "
                    + warning.substring(0, 300));
        }
        for (ProbeDecision decision : result.decisions()) {
            assertTrue(decision.reason().length() <= LONGEST_LINE, () -> "reason of " + decision.reason().length()
                    + " characters: " + decision.reason().substring(0, 300));
        }
        int annotations = json.path("metadata").path("annotations").size();
        // A warning is a line about one probe, container or annotation: a pod can never earn more than it has of those.
        assertTrue(result.warnings().size()
                        <= ScalePods.probeCount(json) + ScalePods.containerCount(json) + annotations + 10,
                "one warning per probe, container or annotation at most: " + result.warnings().size());
        if (!result.changed()) {
            assertTrue(result.replacements().isEmpty() && result.annotationUpdates().isEmpty());
            return json;
        }
        ArrayNode patch = PodPatch.of(result, pod.getMetadata(), "").toTree();
        JsonNode patched = JsonPatch.apply(patch, json);
        assertTrue(ScalePods.annotationBytes(patched) <= ScalePods.ANNOTATIONS_LIMIT,
                () -> "annotations of " + ScalePods.annotationBytes(patched) + " bytes");
        long annotationBytes = result.annotationUpdates().entrySet().stream()
                .mapToLong(e -> e.getKey().length() + 2L * e.getValue().length()).sum();
        // Proportional to what changed: a replaced probe (an exec command of some 20 words) and the annotations.
        assertTrue(patch.toString().length() <= 2_000L * result.replacements().size() + annotationBytes + 1_000,
                "patch of " + patch.toString().length() + " bytes for " + result.replacements().size() + " probes");
        RewriteResult again = engine.rewrite(ScalePods.toPod((ObjectNode) patched), NAMESPACE);
        assertFalse(again.changed(), () -> "not a fixed point: " + again.annotationUpdates().keySet());
        return patched;
    }

    private static ObjectNode padded(int containers, String pad) {
        ObjectNode pod = ScalePods.withContainers(containers, 1);
        return pad.isEmpty() ? pod : ScalePods.annotate(pod, "example.com/padding", pad);
    }

    private static List<String> first(List<String> lines) {
        return lines.subList(0, Math.min(3, lines.size()));
    }
}
