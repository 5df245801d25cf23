package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.NS;
import static io.proberewriter.engine.EngineFixtures.allWarnings;
import static io.proberewriter.engine.EngineFixtures.decision;
import static io.proberewriter.engine.EngineFixtures.http;
import static io.proberewriter.engine.EngineFixtures.map;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.replaced;
import static io.proberewriter.engine.EngineFixtures.rewrite;
import static io.proberewriter.engine.EngineFixtures.rewriter;
import static io.proberewriter.engine.EngineFixtures.web;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Pod copy(Pod pod) {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(pod), Pod.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> pods() {
        Container withStartup = new ContainerBuilder(web("c", 7080)).withStartupProbe(http(7080, "/s")).build();
        return Stream.of(
                Arguments.of("exec curl", pod(map(), web("web", 8080))),
                Arguments.of("exec wget", pod(map(Annotations.EXEC_COMMAND, "wget"), web("web", 8080))),
                Arguments.of("port by number", pod(map(Annotations.MODE, "port", Annotations.HEALTH_PORT, "8081"),
                        web("web", 8080))),
                Arguments.of("port by name, existing exclusion", pod(map(Annotations.MODE, "port",
                        Annotations.HEALTH_PORT, "health", Annotations.ISTIO_EXCLUDE_INBOUND_PORTS, "15020"),
                        web("web", 8080))),
                Arguments.of("mix of exec, port, off and selected kinds", pod(map(
                        Annotations.MODE + ".a", "port", Annotations.HEALTH_PORT + ".a", "health",
                        Annotations.MODE + ".b", "off",
                        Annotations.EXEC_COMMAND + ".c", "wget",
                        Annotations.PROBES, "liveness,startup"),
                        web("a", 8080), web("b", 9080), withStartup)),
                Arguments.of("one container blocked by an invalid value", pod(map(
                        Annotations.MODE + ".a", "bogus"), web("a", 8080), web("b", 9080))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void rewritingTheOutputAgainChangesNothing(String name, Pod input) {
        RewriteResult first = rewrite(input);
        assertTrue(first.changed(), name);
        Pod output = AppliedRewrite.apply(first, input);

        RewriteResult second = rewrite(output);

        assertFalse(second.changed(), () -> name + ": " + second.replacements() + " " + second.annotationUpdates());
        assertTrue(second.replacements().isEmpty());
        assertTrue(second.annotationUpdates().isEmpty());
        assertTrue(second.proberInjection().isEmpty(), () -> second.proberInjection().toString());
        assertEquals(output, AppliedRewrite.apply(second, output));
        for (ProbeDecision d : second.decisions()) {
            assertEquals(Action.UNCHANGED, d.action(), d.toString());
        }
        for (ProbeReplacement r : first.replacements()) {
            ProbeDecision again = decision(second, r.container().name(), r.kind());
            assertTrue(again.reason().contains("already rewritten"), again.reason());
        }
        assertEquals(first.decisions().size(), second.decisions().size());
    }

    @Test
    void originalProbesAnnotationHoldsTheOriginalsKeyedByContainerAndKind() throws Exception {
        Container a = web("a", 8080);
        Container b = new ContainerBuilder(web("b", 9080)).withStartupProbe(http(9080, "/s")).build();
        Pod input = pod(map(Annotations.MODE + ".b", "port", Annotations.HEALTH_PORT + ".b", "9081"), a, b);

        RewriteResult result = rewrite(input);
        String annotation = result.annotationUpdates().get(Annotations.ORIGINAL_PROBES);
        JsonNode node = JSON.readTree(annotation);

        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("a/liveness", "a/readiness", "b/liveness", "b/readiness", "b/startup"), keys,
                "sorted keys, one per rewritten probe");
        assertEquals(a.getLivenessProbe(), JSON.treeToValue(node.get("a/liveness"), Probe.class));
        assertEquals(a.getReadinessProbe(), JSON.treeToValue(node.get("a/readiness"), Probe.class));
        assertEquals(b.getStartupProbe(), JSON.treeToValue(node.get("b/startup"), Probe.class));
        assertEquals(b.getLivenessProbe(), new com.fasterxml.jackson.databind.ObjectMapper().convertValue(node.get("b/liveness"), io.fabric8.kubernetes.api.model.Probe.class));
        assertEquals(8080, node.get("a/liveness").get("httpGet").get("port").asInt());
        assertFalse(annotation.contains("null"), "no null noise: " + annotation);
        assertFalse(annotation.contains("\"exec\""), annotation);

        assertEquals("rewrote 5 probes: a/liveness exec, a/readiness exec, b/liveness port, b/readiness port,"
                + " b/startup port", result.annotationUpdates().get(Annotations.STATUS));
    }

    @Test
    void statusForOneProbe() {
        Pod input = pod(map(Annotations.PROBES, "readiness"), web("web", 8080));
        RewriteResult result = rewrite(input);
        assertEquals("rewrote 1 probe: web/readiness exec", result.annotationUpdates().get(Annotations.STATUS));
    }

    @Test
    void aLaterPassAddsToTheRecordAndKeepsEarlierEntriesByteForByte() throws Exception {
        Pod input = pod(map(Annotations.PROBES, "liveness"), web("web", 8080));
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        String firstRecord = once.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES);

        // The user widens the selection: readiness is rewritten now, liveness stays as rewritten before.
        Pod widened = new PodBuilder(once).editMetadata().removeFromAnnotations(Annotations.PROBES).endMetadata()
                .build();
        RewriteResult second = rewrite(widened);
        assertEquals(1, second.replacements().size());
        assertTrue(replaced(second, "web", ProbeKind.READINESS));
        String secondRecord = second.annotationUpdates().get(Annotations.ORIGINAL_PROBES);
        JsonNode first = JSON.readTree(firstRecord);
        JsonNode both = JSON.readTree(secondRecord);
        assertEquals(first.get("web/liveness"), both.get("web/liveness"));
        assertEquals(input.getSpec().getContainers().get(0).getReadinessProbe(),
                JSON.treeToValue(both.get("web/readiness"), Probe.class));
        assertEquals("rewrote 2 probes: web/liveness exec, web/readiness exec",
                second.annotationUpdates().get(Annotations.STATUS));

        Pod twice = AppliedRewrite.apply(second, widened);
        assertFalse(rewrite(twice).changed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "True"})
    void istioRewritingItselfLeavesThePodAlone(String value) {
        Pod input = pod(map(Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS, value), web("web", 8080));
        RewriteResult result = rewrite(input);

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.reason().contains(Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS), d.reason());
    }

    @Test
    void istioRewriteOffDoesNotStopTheRewrite() {
        Pod input = pod(map(Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS, "false"), web("web", 8080));
        assertTrue(replaced(rewrite(input), "web", ProbeKind.LIVENESS));
    }

    @Test
    void probesOnIstiosAppHealthPathAreLeftAlone() {
        Container c = new ContainerBuilder().withName("web").withImage("example/web:1")
                .withLivenessProbe(http(15020, "/app-health/web/livez"))
                .withReadinessProbe(http(15020, "/app-health/web/readyz"))
                .withStartupProbe(http(8080, "/app-healthy")).build();
        RewriteResult result = rewrite(pod(c));

        for (ProbeKind kind : List.of(ProbeKind.LIVENESS, ProbeKind.READINESS)) {
            ProbeDecision d = decision(result, "web", kind);
            assertEquals(Action.UNCHANGED, d.action());
            assertTrue(d.reason().contains("/app-health/"), d.reason());
        }
        assertTrue(replaced(result, "web", ProbeKind.STARTUP), "only the /app-health/ prefix counts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[]", "\"x\"", "{\"web/liveness\": 1}", "", "null", "{"})
    void corruptOriginalProbesAnnotationLeavesThePodUnchanged(String corrupt) {
        Pod input = pod(map(Annotations.ORIGINAL_PROBES, corrupt), web("web", 8080), web("side", 9080));
        RewriteResult result = rewrite(input);

        assertFalse(result.changed(), () -> "replacements " + result.replacements());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains(Annotations.ORIGINAL_PROBES)),
                allWarnings(result));
        for (ProbeDecision d : result.decisions()) {
            assertEquals(Action.UNCHANGED, d.action());
            assertTrue(d.brokenByMtls());
            assertTrue(d.reason().contains(Annotations.ORIGINAL_PROBES), d.reason());
        }
    }

    @Test
    void emptyOriginalProbesObjectIsValid() {
        Pod input = pod(map(Annotations.ORIGINAL_PROBES, "{}"), web("web", 8080));
        RewriteResult result = rewrite(input);
        assertEquals(2, result.replacements().size());
        assertTrue(result.warnings().stream().noneMatch(w -> w.contains(Annotations.ORIGINAL_PROBES)));
    }

    @Test
    void podWithoutAnnotationsGetsThem() {
        Pod input = new PodBuilder().withNewMetadata().withName("bare").endMetadata()
                .withNewSpec().withContainers(web("web", 8080)).endSpec().build();
        input.getMetadata().setAnnotations(null);

        RewriteResult result = rewrite(input);
        Pod output = AppliedRewrite.apply(result, input);

        Map<String, String> annotations = output.getMetadata().getAnnotations();
        assertNotNull(annotations.get(Annotations.ORIGINAL_PROBES));
        assertEquals("rewrote 2 probes: web/liveness exec, web/readiness exec", annotations.get(Annotations.STATUS));
        assertFalse(rewrite(output).changed());
    }

    @Test
    void podWithoutMetadataGetsIt() {
        Pod input = new PodBuilder().withNewSpec().withContainers(web("web", 8080)).endSpec().build();
        input.setMetadata(null);

        Pod output = AppliedRewrite.apply(rewrite(input), input);

        assertNotNull(output.getMetadata());
        assertNotNull(output.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES));
        assertNull(input.getMetadata());
    }

    @Test
    void applyToDoesNotMutateTheInput() {
        Pod input = pod(map(Annotations.MODE + ".side", "port", Annotations.HEALTH_PORT + ".side", "9081",
                "team", "payments"), web("web", 8080), web("side", 9080));
        Pod before = copy(input);

        RewriteResult result = rewrite(input);
        Pod output = AppliedRewrite.apply(result, input);

        assertEquals(before, input);
        assertNotSame(input, output);
        assertNotNull(input.getSpec().getContainers().get(0).getLivenessProbe().getHttpGet());
        assertNull(input.getSpec().getContainers().get(0).getLivenessProbe().getExec());
        assertFalse(input.getMetadata().getAnnotations().containsKey(Annotations.ORIGINAL_PROBES));
        assertNotNull(output.getSpec().getContainers().get(0).getLivenessProbe().getExec());
        assertEquals("payments", output.getMetadata().getAnnotations().get("team"), "other annotations kept");
        // Applying twice gives the same pod: the result does not keep state from the first application.
        assertEquals(output, AppliedRewrite.apply(result, input));
    }

    @Test
    void applyingAnUnchangedResultGivesAnEqualPod() {
        Pod input = pod(map(Annotations.MODE, "off"), web("web", 8080));
        RewriteResult result = rewrite(input);
        assertFalse(result.changed());
        assertEquals(input, AppliedRewrite.apply(result, input));
    }

    @Test
    void onlyTheRewrittenProbesChange() {
        Pod input = pod(map(Annotations.PROBES, "liveness"), web("web", 8080));
        Pod output = AppliedRewrite.apply(rewrite(input), input);

        Container in = input.getSpec().getContainers().get(0);
        Container out = output.getSpec().getContainers().get(0);
        assertEquals(in.getReadinessProbe(), out.getReadinessProbe());
        assertEquals(new ContainerBuilder(in).withLivenessProbe(null).build(),
                new ContainerBuilder(out).withLivenessProbe(null).build());
        Iterator<String> keys = output.getMetadata().getAnnotations().keySet().iterator();
        List<String> added = new ArrayList<>();
        keys.forEachRemaining(added::add);
        added.removeAll(input.getMetadata().getAnnotations().keySet());
        assertEquals(List.of(Annotations.ORIGINAL_PROBES, Annotations.STATUS), added);
        assertFalse(rewriter().rewrite(output, NS).changed());
    }

    /** The pod with its first container's liveness probe replaced, as a user edits a rewritten manifest. */
    private static Pod withLiveness(Pod pod, Probe liveness) {
        return new PodBuilder(pod).editSpec().editFirstContainer().withLivenessProbe(liveness).endContainer()
                .endSpec().build();
    }

    /**
     * A rewritten manifest whose liveness probe is edited back to httpGet on the mTLS port (in git, or a pod recreated
     * from kubectl get -o yaml): the record alone no longer says "done". The probe is rewritten again, and the record
     * holds it as it is now, which undo must restore; the record of the untouched readiness probe stays byte for byte.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exec", "port"})
    void aRecordedProbeEditedBackToHttpGetIsRewrittenAgain(String mode) throws Exception {
        Pod input = pod(map(Annotations.MODE, mode, Annotations.HEALTH_PORT, "8081"), web("web", 8080));
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        String firstRecord = once.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES);
        Probe edited = http(8080, "/healthz");
        Pod stale = withLiveness(once, edited);

        RewriteResult second = rewrite(stale);

        ProbeDecision d = decision(second, "web", ProbeKind.LIVENESS);
        assertTrue(d.brokenByMtls(), d.toString());
        assertEquals(mode.equals("exec") ? Action.REWRITTEN_EXEC : Action.REWRITTEN_PORT, d.action(), d.toString());
        assertEquals(Action.UNCHANGED, decision(second, "web", ProbeKind.READINESS).action());
        JsonNode record = JSON.readTree(second.annotationUpdates().get(Annotations.ORIGINAL_PROBES));
        assertEquals(edited, JSON.treeToValue(record.get("web/liveness"), Probe.class), "the probe as it is now");
        assertEquals(JSON.readTree(firstRecord).get("web/readiness"), record.get("web/readiness"));
        assertTrue(allWarnings(second).contains("web/liveness probe is in " + Annotations.ORIGINAL_PROBES
                + " but not as probe-rewriter wrote it (edited since?): decided as it is now, the record now holds"
                + " it"), allWarnings(second));
        assertFalse(allWarnings(second).contains("web/readiness"), allWarnings(second));

        Pod twice = AppliedRewrite.apply(second, stale);
        RewriteResult third = rewrite(twice);
        assertFalse(third.changed(), () -> third.replacements() + " " + third.annotationUpdates());
        assertEquals(List.of(), third.warnings());
    }

    /**
     * The probe put back exactly as the record holds it (undo by hand, or the original manifest applied again over
     * the annotations): the record matches it, yet it is no output of ours, so it is rewritten again.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exec", "port"})
    void aRecordedProbePutBackExactlyAsRecordedIsRewrittenAgain(String mode) throws Exception {
        Pod input = pod(map(Annotations.MODE, mode, Annotations.HEALTH_PORT, "8081"), web("web", 8080));
        Probe original = input.getSpec().getContainers().get(0).getLivenessProbe();
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        JsonNode firstRecord = JSON.readTree(once.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES));
        assertEquals(original, JSON.treeToValue(firstRecord.get("web/liveness"), Probe.class));
        Pod putBack = withLiveness(once, original);

        RewriteResult again = rewrite(putBack);

        ProbeDecision d = decision(again, "web", ProbeKind.LIVENESS);
        assertEquals(mode.equals("exec") ? Action.REWRITTEN_EXEC : Action.REWRITTEN_PORT, d.action(), d.toString());
        assertTrue(allWarnings(again).contains("web/liveness probe is in " + Annotations.ORIGINAL_PROBES
                + " but not as probe-rewriter wrote it"), allWarnings(again));
    }

    /**
     * The engine's output is recognised whatever the settings say now: an exec probe by the program it runs (the
     * prober, curl, wget), so a changed exec-command style does not make every rewritten probe look edited.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"curl", "wget", "prober"})
    void aRecordedExecProbeStaysRecordedWhenTheStyleChanges(String style) {
        Pod input = pod(map(Annotations.EXEC_COMMAND, style), web("web", 8080));
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        String other = style.equals("curl") ? "wget" : "curl";
        Pod restyled = new PodBuilder(once).editMetadata().addToAnnotations(Annotations.EXEC_COMMAND, other)
                .endMetadata().build();

        RewriteResult again = rewrite(restyled);

        assertFalse(again.changed(), () -> again.replacements() + " " + again.annotationUpdates());
        assertTrue(decision(again, "web", ProbeKind.LIVENESS).reason().contains("already rewritten"));
    }

    /**
     * A recorded probe replaced by an exec probe of the user's own: mTLS does not reach it, so it stays, and its
     * record goes, with the status once nothing else is recorded, so that undo does not put the old probe back.
     */
    @Test
    void aRecordedProbeReplacedByTheUsersOwnExecLosesItsRecord() {
        Pod input = pod(map(Annotations.PROBES, "liveness"), web("web", 8080));
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        Probe own = new ProbeBuilder().withNewExec().withCommand("/bin/check-health").endExec().build();
        Pod edited = withLiveness(once, own);

        RewriteResult second = rewrite(edited);

        ProbeDecision d = decision(second, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertFalse(d.brokenByMtls(), d.toString());
        assertEquals(new java.util.TreeSet<>(List.of(Annotations.ORIGINAL_PROBES, Annotations.STATUS)),
                second.annotationRemovals());
        Pod after = AppliedRewrite.apply(second, edited);
        assertEquals(Map.of(Annotations.PROBES, "liveness"), after.getMetadata().getAnnotations());
        assertEquals(own, after.getSpec().getContainers().get(0).getLivenessProbe());
        assertFalse(rewrite(after).changed());
    }

    /** A pod whose probes port mode moved to health port 8081, the patch applied. */
    private static Pod rewrittenInPortMode() {
        Pod input = pod(map(Annotations.MODE, "port", Annotations.HEALTH_PORT, "8081"), web("web", 8080));
        return AppliedRewrite.apply(rewrite(input), input);
    }

    /**
     * Port mode's output, recorded, then met under other settings (the CLI rewrote the manifest in port mode, the
     * webhook runs in exec mode) and with the API server's defaults filled in, which the record the CLI wrote lacks:
     * still the engine's output, so nothing changes and the record, undo's only source, stays.
     */
    @Test
    void portModeOutputStaysRecordedUnderOtherSettingsAndWithTheApiServersDefaults() {
        Pod once = rewrittenInPortMode();
        Probe moved = once.getSpec().getContainers().get(0).getLivenessProbe();
        assertEquals(8081, moved.getHttpGet().getPort().getIntVal());
        Probe defaulted = new ProbeBuilder(moved).editHttpGet().withScheme("HTTP").endHttpGet().withTimeoutSeconds(1)
                .withPeriodSeconds(10).withSuccessThreshold(1).withFailureThreshold(3).build();
        Map<String, String> annotations = new java.util.HashMap<>(once.getMetadata().getAnnotations());
        annotations.remove(Annotations.MODE);
        annotations.remove(Annotations.HEALTH_PORT);
        Pod underExecMode = new PodBuilder(withLiveness(once, defaulted)).editMetadata().withAnnotations(annotations)
                .endMetadata().build();

        RewriteResult again = rewrite(underExecMode);

        assertFalse(again.changed(), () -> again.replacements() + " " + again.annotationUpdates() + " "
                + again.annotationRemovals());
        assertFalse(allWarnings(again).contains("edited since"), allWarnings(again));
    }

    /**
     * Istio's injector is called before this webhook and moves httpGet probes to its agent, port mode's output
     * included: not an edit, so the record stays (the probe is left to Istio as before).
     */
    @Test
    void aRecordedProbeIstioMovedToItsAgentStaysRecorded() {
        Pod once = rewrittenInPortMode();
        Pod movedByIstio = withLiveness(once, http(15020, "/app-health/web/livez"));

        RewriteResult again = rewrite(movedByIstio);

        assertFalse(again.changed(), () -> again.replacements() + " " + again.annotationUpdates() + " "
                + again.annotationRemovals());
        assertFalse(allWarnings(again).contains("edited since"), allWarnings(again));
    }

    /** Moved to another port that is still under mTLS, with another path: an edit, decided afresh. */
    @Test
    void aRecordedProbeEditedToAnotherRequestIsStale() {
        Pod once = rewrittenInPortMode();
        Pod edited = withLiveness(once, http(8080, "/livez"));

        RewriteResult again = rewrite(edited);

        assertEquals(Action.REWRITTEN_PORT, decision(again, "web", ProbeKind.LIVENESS).action());
        assertTrue(allWarnings(again).contains("web/liveness probe is in " + Annotations.ORIGINAL_PROBES),
                allWarnings(again));
    }

    /** An invalid setting leaves its scope as it was, a stale record included; the broken probe is still reported. */
    @Test
    void aStaleRecordInABlockedScopeStaysButHidesNothing() {
        Pod input = pod(map(), web("web", 8080));
        Pod once = AppliedRewrite.apply(rewrite(input), input);
        Pod stale = new PodBuilder(withLiveness(once, http(8080, "/healthz"))).editMetadata()
                .addToAnnotations(Annotations.MODE, "bogus").endMetadata().build();

        RewriteResult second = rewrite(stale);

        assertFalse(second.changed(), () -> second.replacements() + " " + second.annotationUpdates());
        ProbeDecision d = decision(second, "web", ProbeKind.LIVENESS);
        assertTrue(d.staysBroken(), d.toString());
        assertTrue(d.reason().contains("left unchanged"), d.reason());
    }
}
