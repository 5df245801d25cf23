package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.NS;
import static io.proberewriter.engine.EngineFixtures.allWarnings;
import static io.proberewriter.engine.EngineFixtures.argv;
import static io.proberewriter.engine.EngineFixtures.decision;
import static io.proberewriter.engine.EngineFixtures.http;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.replaced;
import static io.proberewriter.engine.EngineFixtures.replacement;
import static io.proberewriter.engine.EngineFixtures.rewrite;
import static io.proberewriter.engine.EngineFixtures.web;
import static io.proberewriter.engine.EngineFixtures.withOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExecModeTest {

    private static Probe fullProbe(int successThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPort(new IntOrString(8080)).withPath("/healthz").withScheme("HTTP").endHttpGet()
                .withInitialDelaySeconds(11)
                .withPeriodSeconds(13)
                .withTimeoutSeconds(4)
                .withSuccessThreshold(successThreshold)
                .withFailureThreshold(6)
                .withTerminationGracePeriodSeconds(42L)
                .build();
    }

    @ParameterizedTest
    @EnumSource(ProbeKind.class)
    void everyNonHandlerFieldIsKeptAndExecIsTheOnlyHandler(ProbeKind kind) {
        int success = kind == ProbeKind.READINESS ? 2 : 1;
        Probe original = fullProbe(success);
        Container c = new ContainerBuilder().withName("web").withImage("example/web:1").build();
        kind.set(c, original);
        Pod pod = pod(c);

        RewriteResult result = rewrite(pod);
        Probe p = replacement(result, "web", kind);

        assertEquals(11, p.getInitialDelaySeconds());
        assertEquals(13, p.getPeriodSeconds());
        assertEquals(4, p.getTimeoutSeconds());
        assertEquals(success, p.getSuccessThreshold());
        assertEquals(6, p.getFailureThreshold());
        assertEquals(42L, p.getTerminationGracePeriodSeconds());
        assertNotNull(p.getExec());
        assertNull(p.getHttpGet());
        assertNull(p.getTcpSocket());
        assertNull(p.getGrpc());
        List<String> argv = p.getExec().getCommand();
        assertEquals("4", argv.get(argv.indexOf("--max-time") + 1));
        assertEquals("http://localhost:8080/healthz", argv.get(argv.size() - 1));

        ProbeDecision d = decision(result, "web", kind);
        assertEquals(Action.REWRITTEN_EXEC, d.action());
        assertTrue(d.brokenByMtls());
        assertEquals("web/" + kind.word(), d.key());

        // Applied to the right field, the other kinds untouched.
        Container applied = AppliedRewrite.apply(result, pod).getSpec().getContainers().get(0);
        assertEquals(p, kind.get(applied));
        for (ProbeKind other : ProbeKind.values()) {
            if (other != kind) {
                assertNull(other.get(applied), other.word());
            }
        }
        // The original is unaffected by the builder copy.
        assertNotNull(original.getHttpGet());
        assertNull(original.getExec());
    }

    @Test
    void allThreeKindsOfOneContainerAreRewritten() {
        Container c = new ContainerBuilder(web("web", 8080)).withStartupProbe(http(8080, "/started")).build();
        RewriteResult result = rewrite(pod(c));

        assertEquals(3, result.replacements().size());
        assertTrue(argv(result, "web", ProbeKind.LIVENESS).contains("http://localhost:8080/live"));
        assertTrue(argv(result, "web", ProbeKind.READINESS).contains("http://localhost:8080/ready"));
        assertTrue(argv(result, "web", ProbeKind.STARTUP).contains("http://localhost:8080/started"));
        // One reminder per container and command, not one per probe.
        assertEquals(List.of("container web: the exec probe runs curl, which must exist in its image"),
                result.warnings());
    }

    @Test
    void nativeSidecarInitContainerIsRewrittenOrdinaryInitContainerIsNot() {
        Container ordinary = new ContainerBuilder().withName("migrate").withImage("example/migrate:1")
                .withReadinessProbe(http(7000, "/ready")).build();
        Container sidecar = new ContainerBuilder().withName("proxy").withImage("example/proxy:1")
                .withRestartPolicy("Always").withLivenessProbe(http(15000, "/alive")).build();
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withInitContainers(ordinary, sidecar).withContainers(web("web", 8080)).endSpec()
                .build();

        RewriteResult result = rewrite(pod);

        ProbeDecision init = decision(result, "migrate", ProbeKind.READINESS);
        assertEquals(Action.UNCHANGED, init.action());
        assertFalse(init.brokenByMtls());
        assertTrue(init.reason().contains("not a native sidecar"), init.reason());
        assertFalse(replaced(result, "migrate", ProbeKind.READINESS));

        ProbeDecision side = decision(result, "proxy", ProbeKind.LIVENESS);
        assertEquals(Action.REWRITTEN_EXEC, side.action());
        assertEquals(new ContainerRef(ContainerSection.INIT_CONTAINERS, 1, "proxy"), side.container());
        assertTrue(argv(result, "proxy", ProbeKind.LIVENESS).contains("http://localhost:15000/alive"));

        Pod out = AppliedRewrite.apply(result, pod);
        assertNotNull(out.getSpec().getInitContainers().get(1).getLivenessProbe().getExec());
        assertNotNull(out.getSpec().getInitContainers().get(0).getReadinessProbe().getHttpGet());
        assertNotNull(out.getSpec().getContainers().get(0).getLivenessProbe().getExec());
        assertTrue(out.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES).contains("proxy/liveness"));
        assertFalse(out.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES).contains("migrate/"));
    }

    @Test
    void execProbesStayAndTcpAndGrpcProbesGoToTheProberEvenWhenCurlIsChosen() {
        Probe exec = new ProbeBuilder().withNewExec().withCommand("cat", "/tmp/ok").endExec().build();
        Probe tcp = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket().build();
        Probe grpc = new ProbeBuilder().withNewGrpc().withPort(9000).endGrpc().withTimeoutSeconds(3).build();
        Probe grpcNoPort = new ProbeBuilder().withNewGrpc().endGrpc().build();
        Container c = new ContainerBuilder().withName("app").withImage("example/app:1")
                .withLivenessProbe(exec).withReadinessProbe(tcp).withStartupProbe(grpc).build();
        Container d = withOnly("other", grpcNoPort);

        RewriteResult result = rewrite(pod(c, d));

        ProbeDecision e = decision(result, "app", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, e.action());
        assertFalse(e.brokenByMtls());
        assertTrue(e.reason().startsWith("exec probe"), e.reason());
        ProbeDecision t = decision(result, "app", ProbeKind.READINESS);
        assertEquals(Action.REWRITTEN_EXEC, t.action());
        assertTrue(t.brokenByMtls());
        assertTrue(t.reason().contains("passes even when the app is gone"), t.reason());
        assertEquals(List.of("/probe-rewriter/prober", "tcp", "--port", "8080", "--timeout", "1"),
                argv(result, "app", ProbeKind.READINESS));
        assertEquals(List.of("/probe-rewriter/prober", "grpc", "--port", "9000", "--timeout", "3"),
                argv(result, "app", ProbeKind.STARTUP));
        ProbeDecision noPort = decision(result, "other", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, noPort.action());
        assertTrue(noPort.reason().contains("grpc probe without a port"), noPort.reason());
        assertEquals(1, result.proberInjection().mounts().size(), "only the container that runs the prober mounts it");
        assertEquals("app", result.proberInjection().mounts().get(0).container().name());
    }

    @Test
    void probeAimedAtAnotherHostIsLeftAlone() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withHost("10.0.0.7").withPort(new IntOrString(8080))
                .withPath("/").endHttpGet().build();
        RewriteResult result = rewrite(pod(withOnly("web", probe)));

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.reason().contains("10.0.0.7"), d.reason());
    }

    @Test
    void emptyHostCountsAsNoHost() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withHost("").withPort(new IntOrString(8080))
                .withPath("/").endHttpGet().build();
        assertTrue(replaced(rewrite(pod(withOnly("web", probe))), "web", ProbeKind.LIVENESS));
    }

    @Test
    void namedPortResolvesAgainstTheSameContainerOnly() {
        Container a = new ContainerBuilder().withName("a").withImage("example/a:1")
                .addToPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).build())
                .withLivenessProbe(http("http", "/a")).build();
        Container b = new ContainerBuilder().withName("b").withImage("example/b:1")
                .addToPorts(new ContainerPortBuilder().withName("metrics").withContainerPort(9100).build())
                .addToPorts(new ContainerPortBuilder().withName("http").withContainerPort(9090).build())
                .withLivenessProbe(http("http", "/b")).build();
        List<ProbeTarget> asked = new ArrayList<>();
        MtlsOracle recording = target -> {
            asked.add(target);
            return MtlsVerdict.rejects("strict " + target.port());
        };

        RewriteResult result = new ProbeRewriter(EngineFixtures.ANY_HEALTH_PORT, recording).rewrite(pod(a, b), NS);

        List<String> argvA = argv(result, "a", ProbeKind.LIVENESS);
        List<String> argvB = argv(result, "b", ProbeKind.LIVENESS);
        assertEquals("http://localhost:8080/a", argvA.get(argvA.size() - 1));
        assertEquals("http://localhost:9090/b", argvB.get(argvB.size() - 1));
        assertEquals(List.of(8080, 9090), asked.stream().map(ProbeTarget::port).toList());
        assertEquals("b", asked.get(1).container().getName());
        assertEquals(ProbeKind.LIVENESS, asked.get(1).kind());
    }

    @Test
    void unknownPortNameLeavesTheProbeWithAReason() {
        Container c = new ContainerBuilder().withName("web").withImage("example/web:1")
                .addToPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).build())
                .withLivenessProbe(http("nope", "/")).withReadinessProbe(http("http", "/")).build();
        // A port of that name in another container must not be used.
        Container other = new ContainerBuilder().withName("other").withImage("example/other:1")
                .addToPorts(new ContainerPortBuilder().withName("nope").withContainerPort(7070).build()).build();

        RewriteResult result = rewrite(pod(c, other));

        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertTrue(d.reason().contains("port name \"nope\" is not a port of container web"), d.reason());
        assertTrue(d.staysBroken(), "an unresolvable port is reported with the probes that stay broken");
        assertFalse(replaced(result, "web", ProbeKind.LIVENESS));
        assertTrue(replaced(result, "web", ProbeKind.READINESS), "the other probe is still rewritten");
    }

    @Test
    void portOutOfRangeLeavesTheProbe() {
        RewriteResult result = rewrite(pod(withOnly("web", http(70000, "/"))));
        assertFalse(result.changed());
        assertTrue(decision(result, "web", ProbeKind.LIVENESS).reason().contains("out of range"));
    }

    @Test
    void portTheOracleCallsPlaintextIsLeftAndNotCountedBroken() {
        MtlsOracle permissive = target -> MtlsVerdict.accepts("port " + target.port() + " PERMISSIVE");
        RewriteResult result = new ProbeRewriter(EngineFixtures.ANY_HEALTH_PORT, permissive)
                .rewrite(pod(web("web", 8080)), NS);

        assertFalse(result.changed());
        ProbeDecision d = decision(result, "web", ProbeKind.LIVENESS);
        assertEquals(Action.UNCHANGED, d.action());
        assertFalse(d.brokenByMtls());
        assertTrue(d.reason().contains("port 8080 PERMISSIVE"), d.reason());
        assertTrue(result.warnings().isEmpty(), allWarnings(result));
    }

    @Test
    void podWithoutSpecIsReportedNotRewritten() {
        RewriteResult result = rewrite(new PodBuilder().withNewMetadata().withName("x").endMetadata().build());
        assertFalse(result.changed());
        assertTrue(result.decisions().isEmpty());
        assertEquals(1, result.warnings().size());
    }

    @Test
    void aMirrorPodOfAStaticPodIsLeftAsTheKubeletRunsIt() {
        Pod mirror = new PodBuilder(pod(web("web", 8080))).editMetadata()
                .addToAnnotations("kubernetes.io/config.mirror", "5c4f3b2a1d0e").endMetadata().build();

        RewriteResult result = rewrite(mirror);

        assertFalse(result.changed());
        assertTrue(allWarnings(result).contains("mirror of a static pod"), allWarnings(result));
        assertTrue(allWarnings(result).contains("rewrite that file"), allWarnings(result));
    }
}
