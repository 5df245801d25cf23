package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.NS;
import static io.proberewriter.engine.EngineFixtures.allWarnings;
import static io.proberewriter.engine.EngineFixtures.argv;
import static io.proberewriter.engine.EngineFixtures.decision;
import static io.proberewriter.engine.EngineFixtures.map;
import static io.proberewriter.engine.EngineFixtures.namespace;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.replaced;
import static io.proberewriter.engine.EngineFixtures.replacement;
import static io.proberewriter.engine.EngineFixtures.rewriter;
import static io.proberewriter.engine.EngineFixtures.web;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsPrecedenceTest {

    private static final String MODE = Annotations.MODE;
    private static final String EXEC_COMMAND = Annotations.EXEC_COMMAND;
    private static final String HEALTH_PORT = Annotations.HEALTH_PORT;
    private static final String PROBES = Annotations.PROBES;
    private static final String HEALTH_ACCEPTED = "a port number 1-65535 or a port name of the container";
    private static final String PROBES_ACCEPTED = "a comma-separated list of liveness, readiness, startup";

    private static Pod twoContainers(Map<String, String> annotations) {
        return pod(annotations, web("web", 8080), web("side", 9080));
    }

    // --- mode -------------------------------------------------------------------------------------------

    @Test
    void globalModeAppliesWhenNothingElseSaysAnything() {
        RewriteResult result = rewriter(GlobalSettings.defaults().withMode(Mode.OFF)).rewrite(twoContainers(map()), NS);

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.brokenByMtls());
        assertTrue(d.reason().contains("mode off (global default)"), d.reason());
    }

    @Test
    void namespaceModeBeatsGlobal() {
        RewriteResult result = rewriter(GlobalSettings.defaults().withMode(Mode.OFF))
                .rewrite(twoContainers(map()), namespace(MODE, "exec"));

        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.REWRITTEN_EXEC, d.action());
        assertTrue(d.reason().contains("mode exec: namespace annotation " + MODE), d.reason());
    }

    @Test
    void podModeBeatsNamespace() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(MODE, "off")), namespace(MODE, "exec"));

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "side", ProbeKind.READINESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.reason().contains("mode off (pod annotation " + MODE + ")"), d.reason());
    }

    @Test
    void containerModeBeatsPodForThatContainerOnly() {
        RewriteResult result = rewriter().rewrite(
                twoContainers(map(MODE, "off", MODE + ".web", "exec")), namespace(MODE, "port"));

        ProbeDecision web = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.REWRITTEN_EXEC, web.action());
        assertTrue(web.reason().contains("mode exec: container annotation " + MODE + ".web"), web.reason());
        ProbeDecision side = decision(result, "side", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, side.action());
        assertTrue(side.reason().contains("mode off (pod annotation " + MODE + ")"), side.reason());
        assertTrue(replaced(result, "web", ProbeKind.READINESS));
        assertFalse(replaced(result, "side", ProbeKind.READINESS));
    }

    @Test
    void defaultReasonNamesTheGlobalDefault() {
        RewriteResult result = rewriter().rewrite(twoContainers(map()), NS);
        ProbeDecision d = decision(result, "web", ProbeKind.READINESS);
        assertEquals(Action.REWRITTEN_EXEC, d.action());
        assertTrue(d.reason().contains("mode exec: global default"), d.reason());
    }

    // --- exec-command -------------------------------------------------------------------------------------

    @Test
    void globalExecCommandIsUsedByDefault() {
        RewriteResult prober = rewriter(GlobalSettings.defaults()).rewrite(twoContainers(map()), NS);
        assertEquals(ProberInjection.BINARY, argv(prober, "web", ProbeKind.LIVENESS).get(0));

        RewriteResult curl = rewriter().rewrite(twoContainers(map()), NS);
        assertEquals("curl", argv(curl, "web", ProbeKind.LIVENESS).get(0));

        RewriteResult wget = rewriter(GlobalSettings.defaults().withExecCommand(ExecCommandStyle.WGET))
                .rewrite(twoContainers(map()), NS);
        assertEquals("wget", argv(wget, "web", ProbeKind.LIVENESS).get(0));
    }

    @Test
    void namespaceExecCommandBeatsGlobal() {
        RewriteResult result = rewriter().rewrite(twoContainers(map()), namespace(EXEC_COMMAND, "wget"));
        assertEquals("wget", argv(result, "web", ProbeKind.LIVENESS).get(0));
        assertEquals("wget", argv(result, "side", ProbeKind.LIVENESS).get(0));
        assertTrue(decision(result, "web", ProbeKind.LIVENESS).reason().contains("now runs wget"));
    }

    @Test
    void podExecCommandBeatsNamespace() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(EXEC_COMMAND, "curl")),
                namespace(EXEC_COMMAND, "wget"));
        assertEquals("curl", argv(result, "web", ProbeKind.LIVENESS).get(0));
        assertEquals("curl", argv(result, "side", ProbeKind.READINESS).get(0));
    }

    @Test
    void containerExecCommandBeatsPodForThatContainerOnly() {
        RewriteResult result = rewriter().rewrite(
                twoContainers(map(EXEC_COMMAND, "curl", EXEC_COMMAND + ".side", "wget")),
                namespace(EXEC_COMMAND, "curl"));
        assertEquals("curl", argv(result, "web", ProbeKind.LIVENESS).get(0));
        assertEquals("wget", argv(result, "side", ProbeKind.LIVENESS).get(0));
        assertEquals("wget", argv(result, "side", ProbeKind.READINESS).get(0));
        assertTrue(allWarnings(result).contains("container side: the exec probe runs wget"), allWarnings(result));
        assertTrue(allWarnings(result).contains("container web: the exec probe runs curl"), allWarnings(result));
    }

    @Test
    void valuesAreTrimmed() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(EXEC_COMMAND, " wget ")), NS);
        assertTrue(result.warnings().stream().noneMatch(w -> w.contains("invalid")), allWarnings(result));
        assertEquals("wget", argv(result, "web", ProbeKind.LIVENESS).get(0));
    }

    // --- probes -----------------------------------------------------------------------------------------

    @Test
    void podProbesAnnotationSelectsKinds() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(PROBES, "readiness")), NS);

        assertTrue(replaced(result, "web", ProbeKind.READINESS));
        assertFalse(replaced(result, "web", ProbeKind.LIVENESS));
        ProbeDecision live = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, live.action());
        assertTrue(live.brokenByMtls());
        assertTrue(live.reason().contains("liveness probes are not selected (pod annotation " + PROBES + ")"),
                live.reason());
    }

    @Test
    void podProbesAnnotationBeatsGlobalProbeKinds() {
        GlobalSettings onlyLiveness = GlobalSettings.defaults().withProbeKinds(Set.of(ProbeKind.LIVENESS));
        RewriteResult global = rewriter(onlyLiveness).rewrite(twoContainers(map()), NS);
        assertTrue(replaced(global, "web", ProbeKind.LIVENESS));
        assertFalse(replaced(global, "web", ProbeKind.READINESS));
        assertTrue(decision(global, "web", ProbeKind.READINESS).reason()
                .contains("readiness probes are not selected (global default)"));

        RewriteResult pod = rewriter(onlyLiveness).rewrite(twoContainers(map(PROBES, " readiness , liveness ")), NS);
        assertTrue(replaced(pod, "web", ProbeKind.LIVENESS));
        assertTrue(replaced(pod, "web", ProbeKind.READINESS));
    }

    // --- invalid values -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}.web={1}")
    @CsvSource(delimiter = '|', value = {
            "probe-rewriter.io/mode         | sideways    | exec, port, off",
            "probe-rewriter.io/mode         | EXEC        | exec, port, off",
            "probe-rewriter.io/exec-command | httpie      | curl, wget, prober",
            "probe-rewriter.io/health-port  | not_a_port  | a port number 1-65535 or a port name of the container",
            "probe-rewriter.io/health-port  | 0           | a port number 1-65535 or a port name of the container",
            "probe-rewriter.io/health-port  | 65536       | a port number 1-65535 or a port name of the container",
    })
    void invalidContainerValueLeavesOnlyThatContainerUnchanged(String key, String bad, String accepted) {
        String containerKey = key + ".web";
        RewriteResult result = rewriter().rewrite(twoContainers(map(containerKey, bad)), NS);

        for (ProbeKind kind : List.of(ProbeKind.LIVENESS, ProbeKind.READINESS)) {
            assertFalse(replaced(result, "web", kind), kind.word());
            ProbeDecision d = decision(result, "web", kind);
            assertEquals(Action.UNCHANGED, d.action());
            assertTrue(d.brokenByMtls(), "a blocked probe is still broken by mTLS");
            assertTrue(d.reason().contains(containerKey), d.reason());
            assertTrue(replaced(result, "side", kind), "the other container is still rewritten");
        }
        String expected = "container annotation " + containerKey + "=\"" + bad + "\" is invalid (accepted: "
                + accepted + ")";
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains(expected)), allWarnings(result));
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains(expected)
                && w.contains("probes of container web left unchanged")), allWarnings(result));
        // The result is complete for the valid container: its annotations are written.
        assertTrue(result.annotationUpdates().get(Annotations.ORIGINAL_PROBES).contains("side/liveness"));
        assertFalse(result.annotationUpdates().get(Annotations.ORIGINAL_PROBES).contains("web/"));
    }

    @Test
    void probesHasNoContainerScopeAndItsContainerKeyIsReportedAsUnknown() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(PROBES + ".web", "readiness")), NS);

        assertTrue(allWarnings(result).contains("unknown annotation " + PROBES + ".web"), allWarnings(result));
        // Ignored: it selects nothing, so both kinds are still rewritten.
        assertTrue(replaced(result, "web", ProbeKind.LIVENESS));
        assertTrue(replaced(result, "web", ProbeKind.READINESS));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "probe-rewriter.io/mode         | sideways          | exec, port, off",
            "probe-rewriter.io/exec-command | busybox           | curl, wget, prober",
            "probe-rewriter.io/health-port  | Health_Port       | a port number 1-65535 or a port name of the container",
            "probe-rewriter.io/health-port  | 99999999999999999 | a port number 1-65535 or a port name of the container",
            "probe-rewriter.io/probes       | liveness,bogus    | a comma-separated list of liveness, readiness, startup",
            "probe-rewriter.io/probes       | liveness,,startup | a comma-separated list of liveness, readiness, startup",
            "probe-rewriter.io/probes       | Liveness          | a comma-separated list of liveness, readiness, startup",
    })
    void invalidPodValueLeavesTheWholePodUnchanged(String key, String bad, String accepted) {
        // A valid container override must not rescue one container out of a pod with an invalid pod value.
        RewriteResult result = rewriter().rewrite(twoContainers(map(key, bad, MODE + ".web", "exec")), NS);

        assertFalse(result.changed(), () -> "replacements " + result.replacements());
        assertTrue(result.replacements().isEmpty());
        assertTrue(result.annotationUpdates().isEmpty());
        assertEquals(4, result.decisions().size());
        for (ProbeDecision d : result.decisions()) {
            assertEquals(Action.UNCHANGED, d.action(), d.toString());
            assertTrue(d.brokenByMtls(), d.toString());
            assertTrue(d.reason().contains(key), d.reason());
        }
        String expected = "pod annotation " + key + "=\"" + bad + "\" is invalid (accepted: " + accepted + ")";
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains(expected)
                && w.contains("probes of this pod left unchanged")), allWarnings(result));
    }

    @Test
    void emptyProbesListIsInvalid() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(PROBES, "")), NS);
        assertFalse(result.changed());
        assertTrue(allWarnings(result).contains("pod annotation " + PROBES + "=\"\" is invalid (accepted: "
                + PROBES_ACCEPTED + ")"), allWarnings(result));
    }

    @ParameterizedTest(name = "namespace {0}={1}")
    @CsvSource(delimiter = '|', value = {
            "probe-rewriter.io/mode         | exec,port | exec, port, off",
            "probe-rewriter.io/exec-command | Curl      | curl, wget, prober",
    })
    void invalidNamespaceValueLeavesTheWholePodUnchanged(String key, String bad, String accepted) {
        // Even a pod that sets its own valid value: the namespace scope is blocked as a whole.
        RewriteResult result = rewriter().rewrite(
                twoContainers(map(MODE, "exec", EXEC_COMMAND, "curl")), namespace(key, bad));

        assertFalse(result.changed());
        for (ProbeDecision d : result.decisions()) {
            assertEquals(Action.UNCHANGED, d.action(), d.toString());
            assertTrue(d.reason().contains(key), d.reason());
        }
        String expected = "namespace annotation " + key + "=\"" + bad + "\" is invalid (accepted: " + accepted
                + ")";
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains(expected)), allWarnings(result));
    }

    @Test
    void invalidPodHealthPortBlocksThePodEvenInExecMode() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(HEALTH_PORT, "-1")), NS);
        assertFalse(result.changed());
        assertTrue(allWarnings(result).contains("pod annotation " + HEALTH_PORT + "=\"-1\" is invalid (accepted: "
                + HEALTH_ACCEPTED + ")"), allWarnings(result));
    }

    @Test
    void validHealthPortValuesAreAccepted() {
        for (String ok : List.of("1", "65535", "health", "h-1", "8081")) {
            RewriteResult result = rewriter().rewrite(twoContainers(map(HEALTH_PORT, ok)), NS);
            assertTrue(result.warnings().stream().noneMatch(w -> w.contains("invalid")), ok + ": "
                    + allWarnings(result));
            assertTrue(replaced(result, "web", ProbeKind.LIVENESS), ok);
        }
    }

    // --- unknown keys ---------------------------------------------------------------------------------------

    @Test
    void unknownPrefixedKeyIsWarnedAboutAndDoesNotBlock() {
        RewriteResult result = rewriter().rewrite(
                twoContainers(map(Annotations.PREFIX + "modes", "port", "example.com/mode", "x")), NS);

        assertTrue(allWarnings(result).contains("unknown annotation " + Annotations.PREFIX + "modes"),
                allWarnings(result));
        assertFalse(allWarnings(result).contains("example.com/mode"), "foreign keys are not ours to judge");
        assertTrue(replaced(result, "web", ProbeKind.LIVENESS));
        assertNotNull(replacement(result, "web", ProbeKind.LIVENESS).getExec());
    }

    @Test
    void containerKeyNamingNoContainerIsWarnedAbout() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(
                MODE + ".ghost", "off",
                HEALTH_PORT + ".ghost", "8081",
                EXEC_COMMAND + ".web", "wget")), NS);

        List<String> ghost = result.warnings().stream().filter(w -> w.contains("names no container")).toList();
        assertEquals(2, ghost.size(), allWarnings(result));
        assertTrue(ghost.stream().anyMatch(w -> w.contains(MODE + ".ghost")), ghost.toString());
        assertTrue(ghost.stream().anyMatch(w -> w.contains(HEALTH_PORT + ".ghost")), ghost.toString());
        assertTrue(ghost.get(0).contains("web") && ghost.get(0).contains("side"), "lists the real containers");
        // The ghost annotation does not affect the real containers.
        assertTrue(replaced(result, "web", ProbeKind.LIVENESS));
        assertTrue(replaced(result, "side", ProbeKind.LIVENESS));
        assertEquals("wget", argv(result, "web", ProbeKind.LIVENESS).get(0));
    }

    @Test
    void knownKeysProduceNoWarnings() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(
                MODE, "exec", MODE + ".web", "exec", EXEC_COMMAND, "curl", HEALTH_PORT, "8081",
                PROBES, "liveness,readiness,startup", Annotations.MTLS_PORTS, "8080")), NS);

        assertTrue(result.warnings().stream().allMatch(w -> w.contains("must exist in its image")),
                allWarnings(result));
    }

    @Test
    void namespaceOnlyAnnotationOnAPodIsWarnedAbout() {
        RewriteResult result = rewriter().rewrite(twoContainers(map(Annotations.REMEDIATE, "true")), NS);
        assertTrue(result.warnings().contains(
                "annotation probe-rewriter.io/remediate belongs on the namespace: on a pod it has no effect"),
                allWarnings(result));
    }
}
