package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.HTTPHeaderBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders shared by the engine tests: pods, containers and probes as users write them. */
final class EngineFixtures {

    static final NamespaceContext NS = NamespaceContext.unknown("shop");

    private EngineFixtures() {
    }

    /**
     * Every declared port may be a health port here, as if each namespace allowed it: the engine tests are about
     * other rules; HealthPortPolicyTest and the golden case port-mode-refused-health-ports hold who may open one.
     * Exec mode runs the seeds' curl here, whose command line shows the rules plainly; ProberExecTest and the golden
     * files hold the prober, the default.
     */
    static final GlobalSettings ANY_HEALTH_PORT = GlobalSettings.defaults()
            .withExecCommand(ExecCommandStyle.CURL)
            .withAllowedHealthPorts(PortList.parse("*").orElseThrow());

    static ProbeRewriter rewriter() {
        return rewriter(ANY_HEALTH_PORT);
    }

    static ProbeRewriter rewriter(GlobalSettings global) {
        return new ProbeRewriter(global, new AssumeAllMtlsOracle());
    }

    static RewriteResult rewrite(Pod pod) {
        return rewriter().rewrite(pod, NS);
    }

    static NamespaceContext namespace(String... keyValues) {
        return new NamespaceContext("shop", Map.of(), map(keyValues));
    }

    static Map<String, String> map(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static Probe http(int port, String path) {
        return new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(port)).withPath(path).endHttpGet()
                .withTimeoutSeconds(2).build();
    }

    static Probe http(String portName, String path) {
        return new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(portName)).withPath(path).endHttpGet()
                .withTimeoutSeconds(2).build();
    }

    static HTTPHeader header(String name, String value) {
        return new HTTPHeaderBuilder().withName(name).withValue(value).build();
    }

    /** A container with liveness and readiness httpGet probes on {@code port}. */
    static Container web(String name, int port) {
        return new ContainerBuilder().withName(name).withImage("example/" + name + ":1")
                .addToPorts(new ContainerPortBuilder().withName("http").withContainerPort(port).build())
                .addToPorts(new ContainerPortBuilder().withName("health").withContainerPort(port + 1).build())
                .withLivenessProbe(http(port, "/live"))
                .withReadinessProbe(http(port, "/ready"))
                .build();
    }

    static Container withOnly(String name, Probe liveness) {
        return new ContainerBuilder().withName(name).withImage("example/" + name + ":1")
                .withLivenessProbe(liveness).build();
    }

    static Pod pod(Map<String, String> annotations, Container... containers) {
        return new PodBuilder()
                .withNewMetadata().withName("checkout-1").withNamespace("shop").withAnnotations(annotations)
                .endMetadata()
                .withNewSpec().withContainers(containers).endSpec()
                .build();
    }

    static Pod pod(Container... containers) {
        return pod(new LinkedHashMap<>(), containers);
    }

    static ProbeDecision decision(RewriteResult result, String container, HandlerKind kind) {
        List<ProbeDecision> found = new ArrayList<>();
        for (ProbeDecision d : result.decisions()) {
            if (d.container().name().equals(container) && d.kind() == kind) {
                found.add(d);
            }
        }
        assertEquals(1, found.size(), () -> "decisions for " + container + "/" + kind.word() + " in "
                + result.decisions());
        return found.get(0);
    }

    static Probe replacement(RewriteResult result, String container, HandlerKind kind) {
        for (ProbeReplacement r : result.replacements()) {
            if (r.container().name().equals(container) && r.kind() == kind) {
                return r.probe();
            }
        }
        return fail("no replacement for " + container + "/" + kind.word() + "; decisions " + result.decisions());
    }

    static boolean replaced(RewriteResult result, String container, HandlerKind kind) {
        return result.replacements().stream()
                .anyMatch(r -> r.container().name().equals(container) && r.kind() == kind);
    }

    /** The exec argv that replaced the probe. */
    static List<String> argv(RewriteResult result, String container, HandlerKind kind) {
        Probe p = replacement(result, container, kind);
        assertNotNull(p.getExec(), () -> "not an exec probe: " + p);
        return p.getExec().getCommand();
    }

    static String allWarnings(RewriteResult result) {
        return String.join("\n", result.warnings());
    }
}
