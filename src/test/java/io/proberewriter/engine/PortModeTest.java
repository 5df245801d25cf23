package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.NS;
import static io.proberewriter.engine.EngineFixtures.decision;
import static io.proberewriter.engine.EngineFixtures.header;
import static io.proberewriter.engine.EngineFixtures.map;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.replaced;
import static io.proberewriter.engine.EngineFixtures.replacement;
import static io.proberewriter.engine.EngineFixtures.rewrite;
import static io.proberewriter.engine.EngineFixtures.rewriter;
import static io.proberewriter.engine.EngineFixtures.web;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortModeTest {

    private static final String EXCLUDE = Annotations.ISTIO_EXCLUDE_INBOUND_PORTS;

    /** The container with one more declared port: port mode opens only declared ports. */
    private static Container declaring(Container container, int port) {
        return new ContainerBuilder(container).addNewPort().withContainerPort(port).endPort().build();
    }

    private static Map<String, String> portMode(String... more) {
        Map<String, String> m = map(more);
        m.put(Annotations.MODE, "port");
        return m;
    }

    @Test
    void healthPortByNumber() {
        Probe original = new ProbeBuilder()
                .withNewHttpGet().withPort(new IntOrString(8080)).withPath("/live").withScheme("HTTPS")
                .withHttpHeaders(header("X-A", "1")).endHttpGet()
                .withPeriodSeconds(9).withTimeoutSeconds(3).withFailureThreshold(5).build();
        Container c = new ContainerBuilder().withName("web").withImage("example/web:1")
                .addNewPort().withContainerPort(8081).endPort()
                .withLivenessProbe(original).build();
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "8081"), c));

        Probe p = replacement(result, "web", ProbeKind.LIVENESS);
        Probe expected = new ProbeBuilder(original)
                .editHttpGet().withPort(new IntOrString(8081)).endHttpGet().build();
        assertEquals(expected, p, "only the port changes");
        assertNull(p.getExec());

        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.REWRITTEN_PORT, d.action());
        assertTrue(d.reason().contains("health port 8081 (pod annotation " + Annotations.HEALTH_PORT + ")"),
                d.reason());
        assertTrue(d.reason().contains("mode port: pod annotation " + Annotations.MODE), d.reason());
        assertEquals("8081", result.annotationUpdates().get(EXCLUDE));
        assertEquals(1, result.warnings().size(), "no command needed in the image, only the scheme to check: "
                + result.warnings());
        assertTrue(result.warnings().get(0).startsWith("web/liveness probe moved to health port 8081 keeps scheme"
                + " HTTPS"), result.warnings().get(0));
    }

    /**
     * The scheme moves with the probe: an HTTPS probe on a health port without TLS (a Quarkus management interface by
     * default) fails every check, so its rewrite is said aloud, and nothing calls the port plaintext.
     */
    @ParameterizedTest
    @CsvSource({"HTTPS, true", "https, true", "HTTP, false", ", false"})
    void aProbeMovedWithSchemeHttpsIsWarnedAbout(String scheme, boolean https) {
        Probe original = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8443)).withPath("/q/health/live")
                .withScheme(scheme).endHttpGet().build();
        Container c = new ContainerBuilder().withName("web").withImage("example/quarkus:1")
                .addNewPort().withContainerPort(8443).endPort().addNewPort().withContainerPort(9000).endPort()
                .withLivenessProbe(original).build();
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "9000"), c));

        assertEquals(scheme, replacement(result, "web", ProbeKind.LIVENESS).getHttpGet().getScheme(),
                "the scheme is kept: some management ports serve TLS (Keycloak's)");
        String reason = decision(result, "web", ProbeKind.LIVENESS).reason();
        assertEquals(!https, reason.contains("plaintext"), reason);
        assertEquals(https, reason.contains("health port 9000 (pod annotation " + Annotations.HEALTH_PORT
                + ") with scheme HTTPS"), reason);
        if (https) {
            assertEquals(List.of("web/liveness probe moved to health port 9000 keeps scheme HTTPS: if the port serves"
                    + " plain HTTP, every check fails; then give the probe port 9000 and scheme HTTP yourself (port"
                    + " mode keeps it), or use mode exec"), result.warnings());
        } else {
            assertEquals(List.of(), result.warnings());
        }
    }

    /** Kept as its author wrote it: no warning, but the reason does not call an HTTPS health port plaintext. */
    @Test
    void anHttpsProbeAlreadyOnTheHealthPortIsKeptWithoutWarning() {
        Probe original = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(9000)).withPath("/health/ready")
                .withScheme("HTTPS").endHttpGet().build();
        Container c = new ContainerBuilder().withName("kc").withImage("example/keycloak:1")
                .addNewPort().withContainerPort(9000).endPort().withReadinessProbe(original).build();
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "9000"), c));

        ProbeDecision d = decision(result, "kc", ProbeKind.READINESS);
        assertEquals(Action.KEPT_ON_HEALTH_PORT, d.action());
        assertFalse(d.reason().contains("plaintext"), d.reason());
        assertTrue(d.reason().contains("with scheme HTTPS"), d.reason());
        assertEquals(List.of(), result.warnings());
    }

    @Test
    void healthPortByNameKeepsTheNameAndExcludesTheNumber() {
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "health"), web("web", 8080)));

        Probe live = replacement(result, "web", ProbeKind.LIVENESS);
        assertEquals(new IntOrString("health"), live.getHttpGet().getPort());
        assertEquals("/live", live.getHttpGet().getPath());
        assertEquals(new IntOrString("health"), replacement(result, "web", ProbeKind.READINESS).getHttpGet().getPort());
        assertEquals("8081", result.annotationUpdates().get(EXCLUDE));
        assertTrue(decision(result, "web", ProbeKind.LIVENESS).reason().contains("health port 8081"));
    }

    @Test
    void namedHealthPortResolvesPerContainer() {
        // web("x", p) declares "health" as p + 1.
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "health"),
                web("a", 8080), web("b", 9080)));
        assertEquals("8081,9081", result.annotationUpdates().get(EXCLUDE));
    }

    @Test
    void containerHealthPortBeatsPodHealthPort() {
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "7000",
                Annotations.HEALTH_PORT + ".b", "7001"), declaring(web("a", 8080), 7000),
                declaring(web("b", 9080), 7001)));

        assertEquals(new IntOrString(7000), replacement(result, "a", ProbeKind.LIVENESS).getHttpGet().getPort());
        assertEquals(new IntOrString(7001), replacement(result, "b", ProbeKind.LIVENESS).getHttpGet().getPort());
        assertTrue(decision(result, "b", ProbeKind.LIVENESS).reason()
                .contains("container annotation " + Annotations.HEALTH_PORT + ".b"));
        assertEquals("7000,7001", result.annotationUpdates().get(EXCLUDE));
    }

    @Test
    void missingHealthPortLeavesTheProbeWithAReasonNamingTheAnnotation() {
        RewriteResult result = rewrite(pod(portMode(), web("web", 8080)));

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.brokenByMtls());
        assertTrue(d.reason().contains(Annotations.HEALTH_PORT), d.reason());
        assertTrue(d.reason().contains(Annotations.HEALTH_PORT + ".web"), d.reason());
    }

    /** An app with a management port of its own already probed there: the seeds' second workaround half done. */
    @ParameterizedTest(name = "health-port={0}")
    @CsvSource({"8080", "http"})
    void aProbeAlreadyOnTheHealthPortIsKeptAndItsPortExcluded(String healthPort) {
        Pod pod = pod(portMode(Annotations.HEALTH_PORT, healthPort), web("web", 8080));
        RewriteResult result = rewrite(pod);

        assertTrue(result.changed());
        assertTrue(result.replacements().isEmpty(), "the probes stay as they are");
        for (ProbeKind kind : List.of(ProbeKind.LIVENESS, ProbeKind.READINESS)) {
            ProbeDecision d = decision(result, "web", kind);
            assertEquals(Action.KEPT_ON_HEALTH_PORT, d.action());
            assertTrue(d.brokenByMtls(), "under mTLS as it came in");
            assertFalse(d.staysBroken(), "the exclusion fixes it");
            assertEquals(java.util.OptionalInt.of(8080), d.healthPort());
            assertTrue(d.reason().contains("already targets the plaintext health port 8080 (pod annotation "
                    + Annotations.HEALTH_PORT + ")"), d.reason());
        }
        assertEquals("8080", result.annotationUpdates().get(EXCLUDE));
        assertTrue(result.annotationUpdates().get(Annotations.ORIGINAL_PROBES).contains("\"web/liveness\""));

        Pod kept = AppliedRewrite.apply(result, pod);
        assertEquals(pod.getSpec(), kept.getSpec(), "the spec is untouched");
        RewriteResult again = rewrite(kept);
        assertFalse(again.changed(), "a second pass finds it done");
        assertEquals(Action.UNCHANGED, decision(again, "web", ProbeKind.LIVENESS).action());
    }

    @Test
    void healthPortNameUnknownToTheContainerLeavesTheProbe() {
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "status"), web("web", 8080)));
        assertFalse(result.changed());
        String reason = decision(result, "web", ProbeKind.LIVENESS).reason();
        assertTrue(reason.contains(Annotations.HEALTH_PORT) && reason.contains("\"status\""), reason);
    }

    @ParameterizedTest(name = "[{0}] + 8081 -> [{1}]")
    @CsvSource(delimiter = '|', value = {
            "9090           | 9090,8081",
            "9090,          | 9090,8081",
            "'  '           | 8081",
            "15020,8081     | ",
            "8000-8090      | ",
            "8000 - 8090    | ",
            "*              | ",
            "8082-8090      | 8082-8090,8081",
            "abc-def,1      | abc-def,1,8081",
    })
    void exclusionAnnotationIsMerged(String existing, String expectedUpdate) {
        Pod pod = pod(portMode(Annotations.HEALTH_PORT, "8081", EXCLUDE, existing), web("web", 8080));
        RewriteResult result = rewrite(pod);

        assertTrue(replaced(result, "web", ProbeKind.LIVENESS));
        assertEquals(expectedUpdate, result.annotationUpdates().get(EXCLUDE),
                "an unchanged value is not re-written");
        String applied = AppliedRewrite.apply(result, pod).getMetadata().getAnnotations().get(EXCLUDE);
        assertEquals(expectedUpdate == null ? existing : expectedUpdate, applied);
    }

    @Test
    void sameHealthPortForTwoContainersIsExcludedOnce() {
        RewriteResult result = rewrite(pod(portMode(Annotations.HEALTH_PORT, "7000", EXCLUDE, "15020"),
                declaring(web("a", 8080), 7000), declaring(web("b", 9080), 7000)));
        assertEquals(4, result.replacements().size());
        assertEquals("15020,7000", result.annotationUpdates().get(EXCLUDE));
    }

    @Test
    void execModeDoesNotTouchTheExclusionAnnotation() {
        RewriteResult result = rewrite(pod(map(Annotations.HEALTH_PORT, "8081", EXCLUDE, "9090"), web("web", 8080)));
        assertTrue(result.changed());
        assertFalse(result.annotationUpdates().containsKey(EXCLUDE));
    }

    @Test
    void configuredExclusionKeysAreAllMerged() {
        GlobalSettings global = EngineFixtures.ANY_HEALTH_PORT
                .withExclusionAnnotations(List.of("mesh.example/skip-inbound", "other.example/ports"));
        Pod pod = pod(portMode(Annotations.HEALTH_PORT, "8081", "other.example/ports", "1,2"), web("web", 8080));
        RewriteResult result = rewriter(global).rewrite(pod, NS);

        assertEquals("8081", result.annotationUpdates().get("mesh.example/skip-inbound"));
        assertEquals("1,2,8081", result.annotationUpdates().get("other.example/ports"));
        assertFalse(result.annotationUpdates().containsKey(EXCLUDE), "Istio's key is no longer configured");
    }

    @Test
    void noExclusionKeysConfiguredMeansNoExclusionAnnotation() {
        GlobalSettings global = EngineFixtures.ANY_HEALTH_PORT.withExclusionAnnotations(List.of());
        RewriteResult result = rewriter(global).rewrite(
                pod(portMode(Annotations.HEALTH_PORT, "8081"), web("web", 8080)), NS);

        assertTrue(replaced(result, "web", ProbeKind.LIVENESS));
        assertEquals(List.of(Annotations.ORIGINAL_PROBES, Annotations.STATUS),
                List.copyOf(result.annotationUpdates().keySet()));
    }

    @Test
    void portModeFromNamespaceAndMixedWithExecPerContainer() {
        RewriteResult result = rewriter().rewrite(
                pod(map(Annotations.HEALTH_PORT + ".a", "8081", Annotations.MODE + ".b", "exec"),
                        web("a", 8080), web("b", 9080)),
                EngineFixtures.namespace(Annotations.MODE, "port"));

        assertEquals(Action.REWRITTEN_PORT, decision(result, "a", ProbeKind.LIVENESS).action());
        assertTrue(decision(result, "a", ProbeKind.LIVENESS).reason()
                .contains("mode port: namespace annotation " + Annotations.MODE));
        assertEquals(Action.REWRITTEN_EXEC, decision(result, "b", ProbeKind.LIVENESS).action());
        assertEquals("8081", result.annotationUpdates().get(EXCLUDE));
    }
}
