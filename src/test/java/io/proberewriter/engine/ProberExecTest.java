package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.NS;
import static io.proberewriter.engine.EngineFixtures.allWarnings;
import static io.proberewriter.engine.EngineFixtures.argv;
import static io.proberewriter.engine.EngineFixtures.decision;
import static io.proberewriter.engine.EngineFixtures.header;
import static io.proberewriter.engine.EngineFixtures.http;
import static io.proberewriter.engine.EngineFixtures.map;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.web;
import static io.proberewriter.engine.EngineFixtures.withOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.proberewriter.json.Mappers;
import io.proberewriter.patch.PodPatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exec mode with the prober, the default: what runs in place of each handler, and what is injected into the pod so
 * that it can run (volume, init container, read-only mounts), once, in any order of init containers.
 */
class ProberExecTest {

    private static final ProbeRewriter DEFAULTS = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle());
    private static final String PROBER = ProberInjection.BINARY;

    private static RewriteResult rewrite(Pod pod) {
        return DEFAULTS.rewrite(pod, NS);
    }

    @Test
    void anHttpProbeRunsTheProberWithTheProbeAsWritten() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString("http")).withPath("healthz?x=1")
                .withScheme("HTTPS").withHttpHeaders(header("x-token", "s3cret"), header("Accept", ""))
                .endHttpGet().withTimeoutSeconds(4).withPeriodSeconds(7).build();
        Container c = new ContainerBuilder(web("web", 8080)).withLivenessProbe(probe).build();

        RewriteResult result = rewrite(pod(c));

        assertEquals(List.of(PROBER, "http", "--port", "8080", "--scheme", "HTTPS", "--path", "healthz?x=1",
                "--header", "x-token: s3cret", "--header", "Accept: ", "--timeout", "4", "--on-error", "pass"),
                argv(result, "web", ProbeKind.LIVENESS));
        Probe rewritten = EngineFixtures.replacement(result, "web", ProbeKind.LIVENESS);
        assertEquals(7, rewritten.getPeriodSeconds());
        assertNull(rewritten.getHttpGet());
        assertFalse(allWarnings(result).contains("must exist in its image"), allWarnings(result));
    }

    /**
     * A probe error (a body that breaks off) is a result the kubelet throws away: it never restarts a container over
     * it, so the liveness check passes then; readiness and startup keep the prober's default, fail, the state they
     * start in and that an error never leaves.
     */
    @Test
    void onlyTheLivenessCheckPassesOnAProbeError() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/h").endHttpGet()
                .build();
        Container c = new ContainerBuilder(web("web", 8080)).withLivenessProbe(probe).withReadinessProbe(probe)
                .withStartupProbe(probe).build();

        RewriteResult result = rewrite(pod(c));

        List<String> base = List.of(PROBER, "http", "--port", "8080", "--path", "/h", "--timeout", "1");
        List<String> liveness = new ArrayList<>(base);
        liveness.addAll(List.of("--on-error", "pass"));
        assertEquals(liveness, argv(result, "web", ProbeKind.LIVENESS));
        assertEquals(base, argv(result, "web", ProbeKind.READINESS));
        assertEquals(base, argv(result, "web", ProbeKind.STARTUP));
    }

    @Test
    void theInitContainerIsRestrictedSmallAndCopiesWithoutAShell() {
        Container asking = new ContainerBuilder(web("web", 8080)).withNewResources()
                .addToRequests("memory", new Quantity("256Mi")).endResources().build();
        RewriteResult result = new ProbeRewriter(GlobalSettings.defaults().withProberImage("registry.example/pr:9"),
                new AssumeAllMtlsOracle()).rewrite(pod(asking), NS);

        Container init = result.proberInjection().initContainer().orElseThrow();
        assertEquals(ProberInjection.NAME, init.getName());
        assertEquals("registry.example/pr:9", init.getImage());
        assertEquals(List.of("/prober", "install", PROBER), init.getCommand());
        SecurityContext sc = init.getSecurityContext();
        assertTrue(sc.getRunAsNonRoot());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        assertNull(sc.getRunAsUser(), "the image's user, or one OpenShift assigns: a fixed id would be refused there");
        assertNull(sc.getRunAsGroup());
        assertEquals("32Mi", init.getResources().getLimits().get("memory").toString());
        assertTrue(init.getResources().getRequests().containsKey("cpu"));
        assertFalse(init.getVolumeMounts().get(0).getReadOnly() != null && init.getVolumeMounts().get(0).getReadOnly(),
                "the init container writes the prober");
    }

    /**
     * Kubernetes counts init containers in a pod's quality of service class: one asking for CPU or memory would make a
     * BestEffort pod Burstable, and a quota scoped NotBestEffort that tracks requests.cpu would then refuse it.
     */
    @Test
    void inABestEffortPodTheInitContainerAsksForNothing() {
        Pod bestEffort = pod(web("web", 8080));

        Container init = rewrite(bestEffort).proberInjection().initContainer().orElseThrow();

        assertNull(init.getResources(), "resources left off");
        assertEquals(List.of("/prober", "install", PROBER), init.getCommand());
        assertTrue(PodQos.bestEffort(AppliedRewrite.apply(rewrite(bestEffort), bestEffort).getSpec()));
    }

    @Test
    void aPodWithOnlyAnInitContainerAskingIsBurstableAndTheProberAsksForItsOwn() {
        Container setup = new ContainerBuilder().withName("setup").withImage("example/setup:1").withNewResources()
                .addToLimits("memory", new Quantity("64Mi")).endResources().build();
        Pod burstable = new PodBuilder(pod(web("web", 8080))).editSpec().withInitContainers(setup).endSpec().build();

        Container init = rewrite(burstable).proberInjection().initContainer().orElseThrow();

        assertEquals("10m", init.getResources().getRequests().get("cpu").toString());
        assertEquals("32Mi", init.getResources().getLimits().get("memory").toString());
    }

    /**
     * LimitRanger refuses a container without a request of a resource the namespace's LimitRange has a minimum of,
     * BestEffort or not: ephemeral storage, which the pod's class does not count.
     */
    @Test
    void inABestEffortPodTheInitContainerStillMeetsTheLimitRange() {
        LimitRange storage = new LimitRangeBuilder().withNewMetadata().withName("storage").withNamespace("shop")
                .endMetadata().withNewSpec().addNewLimit().withType("Container")
                .addToMin("ephemeral-storage", new Quantity("8Mi")).endLimit().endSpec().build();
        NamespaceContext namespace = NS.withContainerLimits(ContainerLimits.of(List.of(storage)));

        Container init = DEFAULTS.rewrite(pod(web("web", 8080)), namespace).proberInjection().initContainer()
                .orElseThrow();

        assertEquals(java.util.Map.of("ephemeral-storage", new Quantity("8Mi")), init.getResources().getRequests());
        assertTrue(init.getResources().getLimits() == null || init.getResources().getLimits().isEmpty(),
                init.getResources().toString());
    }

    /** A pod running as root would make the init container root too, and its runAsNonRoot would stop it. */
    @Test
    void inAPodRunningAsRootTheInitContainerNamesANonRootUser() {
        Pod root = pod(web("web", 8080));
        root.getSpec().setSecurityContext(new PodSecurityContextBuilder().withRunAsUser(0L).build());
        SecurityContext sc = rewrite(root).proberInjection().initContainer().orElseThrow().getSecurityContext();
        assertEquals(65532L, sc.getRunAsUser());
        assertEquals(65532L, sc.getRunAsGroup());
        assertTrue(sc.getRunAsNonRoot());

        Pod nonRoot = pod(web("web", 8080));
        nonRoot.getSpec().setSecurityContext(new PodSecurityContextBuilder().withRunAsUser(1000680000L)
                .withRunAsNonRoot(true).build());
        assertNull(rewrite(nonRoot).proberInjection().initContainer().orElseThrow().getSecurityContext()
                .getRunAsUser(), "the pod's own user runs the copy");
    }

    @Test
    void theRewrittenPodMountsTheProberReadOnlyAndASecondPassAddsNothing() {
        Pod pod = pod(web("web", 8080), withOnly("side", http(9090, "/ok")));

        RewriteResult first = rewrite(pod);
        Pod output = AppliedRewrite.apply(first, pod);

        assertEquals(ProberInjection.NAME, output.getSpec().getInitContainers().get(0).getName());
        assertEquals(1, output.getSpec().getVolumes().size());
        assertEquals("16Mi", output.getSpec().getVolumes().get(0).getEmptyDir().getSizeLimit().toString());
        for (Container c : output.getSpec().getContainers()) {
            VolumeMount mount = c.getVolumeMounts().get(0);
            assertEquals(ProberInjection.MOUNT_PATH, mount.getMountPath(), c.getName());
            assertTrue(mount.getReadOnly(), c.getName());
        }
        RewriteResult second = rewrite(output);
        assertFalse(second.changed(), () -> second.toString());
    }

    @Test
    void aContainerAddedByAnotherWebhookLaterGetsItsMountAndNothingElseTwice() {
        Pod once = AppliedRewrite.apply(rewrite(pod(web("web", 8080))), pod(web("web", 8080)));
        Pod reinvoked = new PodBuilder(once).editSpec().addToContainers(withOnly("late", http(7070, "/ok")))
                .endSpec().build();

        RewriteResult again = rewrite(reinvoked);

        assertTrue(again.proberInjection().volume().isEmpty());
        assertTrue(again.proberInjection().initContainer().isEmpty());
        assertEquals(List.of("late"), again.proberInjection().mounts().stream().map(m -> m.container().name()).toList());
        assertEquals(PROBER, argv(again, "late", ProbeKind.LIVENESS).get(0));
    }

    /**
     * Version skew: a pod rewritten by an older release (its prober image) gains a probe this release rewrites. The
     * new command may use a flag the old prober refuses, so the init container that stays must copy this release's
     * prober: its image, and nothing else of it, becomes the configured one. A pass that writes no prober command
     * leaves the image alone (one pinned by hand stays), and so does the pass after the update.
     */
    @Test
    void anInitContainerOfAnOlderReleaseCopiesThisReleasesProberOnceThisPassWritesACommand() {
        Pod older = withProberImage(AppliedRewrite.apply(rewrite(pod(web("web", 8080))), pod(web("web", 8080))),
                "probe-rewriter-prober:0.0.9");
        assertFalse(rewrite(older).changed(), "nothing written, nothing to update: the older prober runs its commands");

        Pod gained = new PodBuilder(older).editSpec().addToContainers(withOnly("late", http(7070, "/ok"))).endSpec()
                .build();
        RewriteResult again = rewrite(gained);
        Pod output = AppliedRewrite.apply(again, gained);

        Container init = output.getSpec().getInitContainers().get(0);
        assertEquals(GlobalSettings.DEFAULT_PROBER_IMAGE, init.getImage());
        Container before = older.getSpec().getInitContainers().get(0);
        assertEquals(new ContainerBuilder(before).withImage(init.getImage()).build(), init, "only the image changes");
        assertTrue(again.proberInjection().initContainer().isEmpty(), "the init container is kept, not added again");
        assertFalse(rewrite(output).changed(), "a second pass changes nothing");
    }

    /**
     * The other way round: a command in the pod uses a flag this release's prober lacks, so a newer release wrote it
     * and the init container copies that newer prober, which also runs this pass's commands: its image stays.
     */
    @Test
    void anInitContainerOfANewerReleaseKeepsItsImage() {
        Pod rewritten = AppliedRewrite.apply(rewrite(pod(web("web", 8080))), pod(web("web", 8080)));
        Probe newer = new ProbeBuilder(rewritten.getSpec().getContainers().get(0).getLivenessProbe()).editExec()
                .addToCommand("--expect-body=ok").endExec().build();
        Pod fromNewer = withProberImage(new PodBuilder(rewritten).editSpec().editFirstContainer()
                .withLivenessProbe(newer).endContainer().addToContainers(withOnly("late", http(7070, "/ok")))
                .endSpec().build(), "probe-rewriter-prober:9.0.0");

        RewriteResult result = rewrite(fromNewer);

        assertEquals(PROBER, argv(result, "late", ProbeKind.LIVENESS).get(0), "this pass writes a prober command");
        assertTrue(result.proberInjection().image().isEmpty(), () -> result.proberInjection().toString());
    }

    @Test
    void theFlagsOfThisReleasesProberAreTheOnesItsCommandsUse() {
        assertTrue(ProberCommand.knownToThisRelease(List.of(PROBER, "http", "--port", "80", "--on-error", "pass")));
        assertTrue(ProberCommand.knownToThisRelease(List.of(PROBER, "grpc", "-port=80", "--service", "s")));
        assertTrue(ProberCommand.knownToThisRelease(List.of(PROBER, "tcp", "--port", "80", "stray")),
                "not a flag: the prober's to refuse, not a sign of another release");
        assertFalse(ProberCommand.knownToThisRelease(List.of(PROBER, "tcp", "--port", "80", "--on-error", "pass")));
        assertFalse(ProberCommand.knownToThisRelease(List.of(PROBER, "http", "--port", "80", "--retries=2")));
        assertFalse(ProberCommand.knownToThisRelease(List.of(PROBER, "udp", "--port", "53")), "a check it lacks");
        assertFalse(ProberCommand.knownToThisRelease(Arrays.asList(PROBER, null)), "no check: not this release's");
        assertFalse(ProberCommand.knownToThisRelease(List.of(PROBER)), "no check: not this release's");
    }

    /**
     * The flags every release wrote stay known to this one (src/main/go/prober/testdata/released-flags.txt, which the
     * prober's Go tests parse with each flag too), and every command this release writes is known to it: one it did
     * not know would count as a newer release's, and the init container's image would never follow the release.
     */
    @Test
    void everyReleasedFlagAndEveryCommandInTheGoldenFilesIsKnownToThisRelease() throws Exception {
        for (String line : java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("src/main/go/prober/testdata/released-flags.txt"))) {
            List<String> fields = List.of(line.strip().split("\\s+"));
            if (fields.get(0).isEmpty() || fields.get(0).startsWith("#")) {
                continue;
            }
            assertTrue(ProberCommand.FLAGS.containsKey(fields.get(0)), line);
            assertTrue(ProberCommand.FLAGS.get(fields.get(0)).containsAll(fields.subList(1, fields.size())), line);
        }
        List<List<String>> commands = new ArrayList<>();
        try (var cases = java.nio.file.Files.list(java.nio.file.Path.of("src/test/resources/golden"))) {
            for (java.nio.file.Path dir : cases.filter(d -> !d.getFileName().toString().contains("newer-release"))
                    .toList()) {
                java.nio.file.Path expected = dir.resolve("expected.yaml");
                if (java.nio.file.Files.exists(expected)) {
                    var documents = Mappers.MANIFEST_YAML_READER.readValues(
                            Mappers.MANIFEST_YAML_READER.createParser(java.nio.file.Files.readString(expected)),
                            JsonNode.class);
                    documents.forEachRemaining(document -> collectProberCommands(document, commands));
                }
            }
        }
        assertTrue(commands.size() > 20, "the golden files have prober commands: " + commands.size());
        for (List<String> command : commands) {
            assertTrue(ProberCommand.knownToThisRelease(command), command.toString());
        }
    }

    private static void collectProberCommands(JsonNode node, List<List<String>> into) {
        if (node.isObject()) {
            JsonNode command = node.path("exec").path("command");
            if (command.isArray() && PROBER.equals(command.path(0).asText())) {
                List<String> argv = new ArrayList<>();
                command.forEach(argument -> argv.add(argument.asText()));
                into.add(argv);
            }
            node.forEach(child -> collectProberCommands(child, into));
        } else if (node.isArray()) {
            node.forEach(child -> collectProberCommands(child, into));
        }
    }

    private static Pod withProberImage(Pod pod, String image) {
        return new PodBuilder(pod).editSpec().editFirstInitContainer().withImage(image).endInitContainer().endSpec()
                .build();
    }

    @Test
    void aNativeSidecarFindsTheProberInPlaceBeforeItStartsAndThePatchAddressesItAsSent() {
        Container istioInit = new ContainerBuilder().withName("istio-init").withImage("istio/proxyv2").build();
        Container sidecar = new ContainerBuilder(withOnly("log-shipper", http(9000, "/healthz")))
                .withRestartPolicy("Always").build();
        Pod pod = new PodBuilder(pod(web("web", 8080))).editSpec().withInitContainers(istioInit, sidecar)
                .endSpec().build();

        RewriteResult result = rewrite(pod);
        JsonNode patch = PodPatch.of(result, pod.getMetadata(), "").toTree();
        Pod output = AppliedRewrite.apply(result, pod);

        assertEquals("/spec/initContainers/0", patch.get(patch.size() - 1).get("path").asText(),
                "the insertion that shifts indices comes last: " + patch);
        List<Container> inits = output.getSpec().getInitContainers();
        assertEquals(List.of(ProberInjection.NAME, "istio-init", "log-shipper"),
                inits.stream().map(Container::getName).toList());
        assertEquals(PROBER, inits.get(2).getLivenessProbe().getExec().getCommand().get(0));
        assertEquals(ProberInjection.MOUNT_PATH, inits.get(2).getVolumeMounts().get(0).getMountPath());
        assertTrue(inits.get(1).getVolumeMounts() == null || inits.get(1).getVolumeMounts().isEmpty(),
                "istio-init runs no prober and mounts nothing");
        assertFalse(rewrite(output).changed());
    }

    /**
     * The audit's pod: the second pass, after a later webhook put a native sidecar with an httpGet startup probe
     * before the prober's init container, which the first pass had put first. The kubelet starts the init container
     * after the sidecar only once the sidecar's startup probe passes: run by the prober, it never would.
     */
    private static final String SIDECAR_BEFORE_THE_PROBER = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: order
              annotations:
                probe-rewriter.io/original-probes: '{"web/liveness":{"httpGet":{"path":"/healthz","port":8080}}}'
            spec:
              initContainers:
              - name: agent
                image: example/agent:1
                restartPolicy: Always
                ports:
                - containerPort: 8200
                startupProbe:
                  httpGet:
                    path: /ready
                    port: 8200
              - command: [/prober, install, /probe-rewriter/prober]
                image: probe-rewriter-prober:0.1.0
                name: probe-rewriter-prober
                volumeMounts:
                - mountPath: /probe-rewriter
                  name: probe-rewriter-prober
              containers:
              - name: web
                image: example/web:1
                livenessProbe:
                  exec:
                    command: [/probe-rewriter/prober, http, --port, "8080", --path, /healthz, --timeout, "1"]
                volumeMounts:
                - mountPath: /probe-rewriter
                  name: probe-rewriter-prober
                  readOnly: true
              volumes:
              - name: probe-rewriter-prober
                emptyDir:
                  sizeLimit: 16Mi
            """;

    private static Pod sidecarBeforeTheProber() {
        try {
            return Mappers.MANIFEST_YAML_READER.readValue(SIDECAR_BEFORE_THE_PROBER, Pod.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Pod withInitContainers(Pod pod, Container... inits) {
        return new PodBuilder(pod).editSpec().withInitContainers(inits).endSpec().build();
    }

    @Test
    void aSidecarsStartupProbeBeforeAnExistingProberStaysAndTheWarningSaysWhatToMove() {
        Pod pod = sidecarBeforeTheProber();

        RewriteResult result = rewrite(pod);

        ProbeDecision startup = decision(result, "agent", ProbeKind.STARTUP);
        assertEquals(Action.UNCHANGED, startup.action());
        assertTrue(startup.brokenByMtls());
        assertTrue(startup.reason().contains("native sidecar agent (initContainers[0]) starts before the init"
                + " container probe-rewriter-prober (initContainers[1])"), startup.reason());
        assertTrue(allWarnings(result).contains("move probe-rewriter-prober before agent in initContainers"),
                allWarnings(result));
        assertFalse(result.changed(), () -> result.toString());
    }

    @Test
    void withTheProberMovedFirstTheSidecarsStartupProbeRunsIt() {
        Pod pod = sidecarBeforeTheProber();
        List<Container> inits = pod.getSpec().getInitContainers();
        Pod moved = withInitContainers(pod, inits.get(1), inits.get(0));

        RewriteResult result = rewrite(moved);
        Pod output = AppliedRewrite.apply(result, moved);

        assertEquals(PROBER, argv(result, "agent", ProbeKind.STARTUP).get(0));
        Container agent = output.getSpec().getInitContainers().get(1);
        assertEquals(ProberInjection.MOUNT_PATH, agent.getVolumeMounts().get(0).getMountPath());
        assertEquals(2, output.getSpec().getInitContainers().size(), "nothing inserted twice");
        assertFalse(rewrite(output).changed());
    }

    /** Ordinary init containers run to completion in order: one before the prober holds nothing up. */
    @Test
    void anOrdinaryInitContainerBeforeAnExistingProberIsNoProblem() {
        Pod pod = sidecarBeforeTheProber();
        List<Container> inits = pod.getSpec().getInitContainers();
        Container setup = new ContainerBuilder().withName("setup").withImage("example/setup:1").build();

        RewriteResult result = rewrite(withInitContainers(pod, setup, inits.get(1), inits.get(0)));

        assertEquals(PROBER, argv(result, "agent", ProbeKind.STARTUP).get(0));
    }

    /**
     * Only what the kubelet waits for before the next init container is held up: the startup probe and the postStart
     * hook. Liveness and readiness probes, like the app's containers, run once the copy is done.
     */
    @Test
    void aSidecarBeforeTheProberKeepsOnlyWhatGatesTheNextInitContainer() {
        Pod pod = sidecarBeforeTheProber();
        Container agent = new ContainerBuilder(pod.getSpec().getInitContainers().get(0)).withStartupProbe(null)
                .withLivenessProbe(http(8200, "/live")).withNewLifecycle().withNewPostStart().withNewHttpGet()
                .withPort(new IntOrString(8200)).withPath("/hello").endHttpGet().endPostStart().endLifecycle()
                .build();

        RewriteResult result = rewrite(withInitContainers(pod, agent, pod.getSpec().getInitContainers().get(1)));

        assertEquals(PROBER, argv(result, "agent", ProbeKind.LIVENESS).get(0));
        ProbeDecision postStart = decision(result, "agent", HookKind.POST_START);
        assertEquals(Action.UNCHANGED, postStart.action());
        assertTrue(postStart.reason().contains("only once a sidecar's postStart hook has run"), postStart.reason());
        assertEquals(List.of(new ContainerRef(ContainerSection.INIT_CONTAINERS, 0, "agent")),
                result.proberInjection().mounts().stream().map(ProberInjection.Mount::container).toList(),
                "the liveness probe runs the prober: the sidecar mounts it");
    }

    /** curl or wget comes with the sidecar's image: nothing waits for a copy. */
    @Test
    void aSidecarBeforeTheProberRunningCurlIsNoProblem() {
        Pod pod = sidecarBeforeTheProber();
        pod.getMetadata().getAnnotations().put(Annotations.EXEC_COMMAND, "curl");

        RewriteResult result = rewrite(pod);

        assertEquals("curl", argv(result, "agent", ProbeKind.STARTUP).get(0));
    }

    @Test
    void anHttpHookRunsTheProbersHookCheckAndIsRecordedAsTheHook() {
        Container c = new ContainerBuilder(web("web", 8080)).withNewLifecycle()
                .withNewPreStop().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/drain").endHttpGet()
                .endPreStop()
                .withNewPostStart().withNewExec().withCommand("touch", "/tmp/started").endExec().endPostStart()
                .endLifecycle().build();

        RewriteResult result = rewrite(pod(c));
        Pod output = AppliedRewrite.apply(result, pod(c));

        assertEquals(List.of(PROBER, "http-hook", "--port", "8080", "--path", "/drain"),
                output.getSpec().getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand());
        assertEquals(Action.REWRITTEN_EXEC, decision(result, "web", HookKind.PRE_STOP).action());
        ProbeDecision postStart = decision(result, "web", HookKind.POST_START);
        assertEquals(Action.UNCHANGED, postStart.action());
        assertTrue(postStart.reason().startsWith("exec hook"), postStart.reason());
        String record = output.getMetadata().getAnnotations().get(Annotations.ORIGINAL_PROBES);
        assertTrue(record.contains("\"web/preStop\":{\"httpGet\":{\"path\":\"/drain\",\"port\":8080}}"), record);
        assertTrue(output.getMetadata().getAnnotations().get(Annotations.STATUS).contains("web/preStop exec"));
        assertFalse(rewrite(output).changed());
    }

    @Test
    void aHookFollowsTheKubeletsVersionInItsOwnUserAgent() {
        Container c = new ContainerBuilder(web("web", 8080)).withNewLifecycle().withNewPostStart().withNewHttpGet()
                .withPort(new IntOrString(8080)).endHttpGet().endPostStart().endLifecycle().build();

        RewriteResult result = new ProbeRewriter(GlobalSettings.defaults().withUserAgent("kube-probe/1.29"),
                new AssumeAllMtlsOracle()).rewrite(pod(c), NS);

        assertEquals(List.of(PROBER, "http-hook", "--port", "8080", "--user-agent", "kube-lifecycle/1.29"),
                argv(result, "web", HookKind.POST_START));
        assertTrue(argv(result, "web", ProbeKind.LIVENESS).containsAll(List.of("--user-agent", "kube-probe/1.29")));
    }

    @Test
    void portModeLeavesTcpProbesAndHooksBrokenAndSaysWhy() {
        Probe tcp = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket().build();
        Container c = new ContainerBuilder(web("web", 8080)).withStartupProbe(tcp).withNewLifecycle().withNewPreStop()
                .withNewHttpGet().withPort(new IntOrString(8080)).endHttpGet().endPreStop().endLifecycle().build();
        Pod pod = pod(map(Annotations.MODE, "port", Annotations.HEALTH_PORT, "8081"), c);

        RewriteResult result = new ProbeRewriter(EngineFixtures.ANY_HEALTH_PORT, new AssumeAllMtlsOracle())
                .rewrite(pod, NS);

        assertEquals(Action.REWRITTEN_PORT, decision(result, "web", ProbeKind.LIVENESS).action());
        for (HandlerKind kind : List.of(ProbeKind.STARTUP, HookKind.PRE_STOP)) {
            ProbeDecision d = decision(result, "web", kind);
            assertTrue(d.staysBroken(), d.toString());
            assertTrue(d.reason().contains("port mode moves httpGet probes"), d.reason());
        }
        assertTrue(allWarnings(result).contains("web/preStop hook stays broken by mTLS"), allWarnings(result));
        assertTrue(result.proberInjection().isEmpty());
    }

    @Test
    void somethingElseAtTheProbersPathLeavesTheProbeWithAWarningNotARefusedPod() {
        Container c = new ContainerBuilder(web("web", 8080)).addNewVolumeMount().withName("config")
                .withMountPath(ProberInjection.MOUNT_PATH).endVolumeMount().build();

        RewriteResult result = rewrite(pod(c));

        assertFalse(result.changed());
        assertTrue(decision(result, "web", ProbeKind.LIVENESS).staysBroken());
        assertTrue(allWarnings(result).contains("the prober cannot be added: container web mounts config at "
                + ProberInjection.MOUNT_PATH), allWarnings(result));
    }

    @Test
    void aWindowsPodKeepsItsProbesWhereCurlIsNotChosen() {
        Pod windows = new PodBuilder(pod(web("web", 8080))).editSpec().withNewOs("windows").endSpec().build();

        RewriteResult result = rewrite(windows);

        assertFalse(result.changed());
        assertTrue(allWarnings(result).contains("Windows"), allWarnings(result));
    }

    @Test
    void curlAndWgetOnWindowsThrowTheBodyIntoNulNotIntoAFileNamedDevNull() {
        for (String command : List.of("curl", "wget")) {
            Pod windows = new PodBuilder(pod(map("probe-rewriter.io/exec-command", command), web("web", 8080)))
                    .editSpec().withNewOs("windows").endSpec().build();
            Pod linux = pod(map("probe-rewriter.io/exec-command", command), web("web", 8080));

            List<String> onWindows = argv(rewrite(windows), "web", ProbeKind.LIVENESS);
            List<String> onLinux = argv(rewrite(linux), "web", ProbeKind.LIVENESS);

            assertTrue(onWindows.contains("NUL") && !onWindows.contains("/dev/null"), onWindows.toString());
            assertTrue(onLinux.contains("/dev/null") && !onLinux.contains("NUL"), onLinux.toString());
        }
    }

    @Test
    void aPodSentToWindowsNodesByItsNodeSelectorKeepsItsProbes() {
        for (String label : List.of("kubernetes.io/os", "beta.kubernetes.io/os")) {
            Pod windows = new PodBuilder(pod(web("web", 8080))).editSpec().addToNodeSelector(label, "windows")
                    .endSpec().build();

            RewriteResult result = rewrite(windows);

            assertFalse(result.changed(), label);
            assertTrue(allWarnings(result).contains("the pod runs on Windows (nodeSelector " + label
                    + ": windows), and the prober is a Linux executable"), allWarnings(result));
        }
    }

    @Test
    void aPodWhoseRequiredAffinitySelectsOnlyWindowsKeepsItsProbes() {
        Pod windows = new PodBuilder(pod(web("web", 8080))).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/os").withOperator("In")
                .withValues("windows").endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();

        RewriteResult result = rewrite(windows);

        assertFalse(result.changed());
        assertTrue(allWarnings(result).contains("required node affinity"), allWarnings(result));
    }

    @Test
    void anAffinityWithFieldsUnsetIsReadWithoutFailing() {
        // Found by ManifestFuzzTest: a match expression without a key.
        Pod unset = new PodBuilder(pod(web("web", 8080))).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().endMatchExpression().endNodeSelectorTerm()
                .addNewNodeSelectorTerm().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();

        RewriteResult result = rewrite(unset);

        assertTrue(result.changed(), "not a Windows pod: " + allWarnings(result));
    }

    @Test
    void aPodThatMayLandOnLinuxGetsTheProber() {
        // One term allows Linux nodes: the scheduler may pick either, so the pod is not a Windows pod.
        Pod either = new PodBuilder(pod(web("web", 8080))).editSpec().addToNodeSelector("kubernetes.io/os", "linux")
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/os").withOperator("In")
                .withValues("windows").endMatchExpression().endNodeSelectorTerm()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/os").withOperator("In")
                .withValues("linux", "windows").endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();

        RewriteResult result = rewrite(either);

        assertTrue(result.changed());
        assertTrue(result.proberInjection().initContainer().isPresent());
    }

    @Test
    void aProbeWrittenByHandToRunTheProberGetsItInjected() {
        Probe byHand = new ProbeBuilder().withNewExec().withCommand(PROBER, "tcp", "--port", "5432").endExec().build();

        RewriteResult result = rewrite(pod(withOnly("db", byHand)));

        assertTrue(result.replacements().isEmpty());
        assertTrue(result.proberInjection().initContainer().isPresent());
        assertEquals("db", result.proberInjection().mounts().get(0).container().name());
    }
}
