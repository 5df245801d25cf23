package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.meshes.GoBool;
import io.proberewriter.meshes.ProbeExemption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rewrite engine: pod in, decisions and edits out. Pure — no I/O, no clock, no API server — so the
 * webhook, the CLI and the audit all share these rules, and the golden files test them once.
 *
 * <p>For each liveness, readiness and startup probe of the pod's containers and native sidecars, in order:
 * <ol>
 *   <li>probes this tool already rewrote (recorded, and still as it wrote them), exec, tcpSocket and grpc probes,
 *       probes of pods whose probes never meet mTLS ({@link ProbeExemption}: host network, Istio ambient, Consul and
 *       Kuma carrying probes themselves), probes aimed at another host and probes Istio rewrites itself are left
 *       alone;</li>
 *   <li>the {@code httpGet} port is resolved (a name against the same container) and the mTLS oracle is asked
 *       whether the kubelet's plaintext request would be refused; if not, the probe stays;</li>
 *   <li>settings (container ▸ pod ▸ namespace ▸ global) pick the mode: {@code exec} runs the request from
 *       inside the container, {@code port} moves it to a plaintext health port, {@code off} leaves it.</li>
 * </ol>
 * Rewritten pods record the originals in {@code probe-rewriter.io/original-probes} and a summary in
 * {@code probe-rewriter.io/status}; running the engine again on its own output changes nothing.
 */
public final class ProbeRewriter {

    /** The prefix of the paths Istio's sidecar injector moves probes to when it rewrites them itself. */
    static final String ISTIO_APP_HEALTH_PATH = "/app-health/";

    private static final List<HandlerKind> HANDLER_KINDS = HandlerKind.all();

    private final GlobalSettings global;
    private final MtlsOracle oracle;
    private final SettingsResolver settingsResolver;

    public ProbeRewriter(GlobalSettings global, MtlsOracle oracle) {
        this.global = global;
        this.oracle = oracle;
        this.settingsResolver = new SettingsResolver(global);
    }

    /**
     * The kubelet's mark on the API object it makes for a static pod. It runs the static pod from the manifest file on
     * its node, and compares only this annotation's hash with the file: a rewrite of the object would show probes
     * that nothing runs.
     */
    static final String MIRROR_POD = "kubernetes.io/config.mirror";
    static final String MIRROR_POD_UNCHANGED = "it is the mirror of a static pod (annotation " + MIRROR_POD + "): the"
            + " kubelet runs the manifest file on its node, which no change to this object reaches; rewrite that file"
            + " (probe-rewriter rewrite -f)";

    /**
     * @param namespace what is known of the pod's namespace; null when nothing is (global defaults apply)
     */
    public RewriteResult rewrite(Pod pod, NamespaceContext namespace) {
        if (namespace == null) {
            namespace = NamespaceContext.unknown(pod.getMetadata() == null ? null : pod.getMetadata().getNamespace());
        }
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return new RewriteResult(List.of(), List.of("the pod has no spec: nothing to rewrite"), List.of(), new TreeMap<>());
        }
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        List<String> warnings = new ArrayList<>();
        List<ProbedContainer> containers = probedContainers(spec, warnings);
        Set<String> names = new LinkedHashSet<>();
        containers.forEach(c -> names.add(c.ref().name()));

        PodSettings settings = settingsResolver.resolve(annotations, namespace, names);
        warnings.addAll(0, settings.warnings());

        Optional<OriginalProbes> parsedOriginals = OriginalProbes.parse(annotations.get(Annotations.ORIGINAL_PROBES));
        Optional<String> podBlocked = settings.podBlocked();
        if (parsedOriginals.isEmpty()) {
            String problem = "annotation " + Annotations.ORIGINAL_PROBES
                    + " is not a JSON object of probes (edited by hand?)";
            warnings.add(problem + ": probes of this pod left unchanged");
            podBlocked = Optional.of(problem);
        }
        if (podBlocked.isEmpty() && annotations.containsKey(MIRROR_POD)) {
            warnings.add("probes of this pod left unchanged: " + MIRROR_POD_UNCHANGED);
            podBlocked = Optional.of(MIRROR_POD_UNCHANGED);
        }
        Optional<String> sharedName = sharedContainerName(spec);
        if (podBlocked.isEmpty() && sharedName.isPresent()) {
            warnings.add("probes of this pod left unchanged: " + sharedName.get());
            podBlocked = sharedName;
        }
        OriginalProbes recordedBefore = parsedOriginals.orElse(OriginalProbes.empty());
        // A record says "rewritten" only while the probe is still what the engine wrote: a probe edited back to an
        // httpGet on the mTLS port (in git, or in a pod recreated from kubectl get -o yaml) is decided afresh.
        Set<String> stale = staleRecords(containers, settings, recordedBefore);
        OriginalProbes originals = recordedBefore.without(stale);
        // Read as Istio reads it, so that "1" counts and "tRuE" does not.
        boolean istioRewrites = GoBool.parse(annotations.get(Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS))
                .orElse(false);
        Optional<ProbeExemption> exemption = ProbeExemption.of(pod, namespace.name(), namespace.labels());
        // What Istio captures: the annotation, or what an already injected istio-init was given (the mesh's default).
        String istioIncluded = annotations.get(Annotations.ISTIO_INCLUDE_INBOUND_PORTS);
        PortModeGuard portMode = new PortModeGuard(HealthPortPolicy.of(namespace, global),
                istioIncluded != null ? CapturedPorts.of(istioIncluded, Annotations.ISTIO_INCLUDE_INBOUND_PORTS)
                        : CapturedPorts.of(IstioInitExclusion.capturedPorts(spec.getInitContainers()).orElse(null),
                        "the -b argument of istio-init"),
                appPorts(containers, settings, originals));
        // What the oracle needs to know of the pod as a whole is worked out once here, not once per probe.
        MtlsOracle podOracle = oracle.forPod(pod, namespace);
        ProberPlacement prober = new ProberPlacement(spec);
        PodOs os = PodOs.of(spec);

        List<ProbeDecision> decisions = new ArrayList<>();
        // The mTLS rule of each probe to rewrite (null for the others), for its reason if the rewrite is called off.
        List<String> rules = new ArrayList<>();
        int cutOff = 0;
        // Grows with each probe rewritten; once past the limit, the rewrite cannot be accepted, and the remaining
        // probes are decided but not converted: a pod of 50,000 probes costs conversions for a few thousand only.
        long annotationsAtLeast = AnnotationsSize.before(annotations);
        List<ProbeReplacement> replacements = new ArrayList<>();
        Set<Integer> excludedPorts = new LinkedHashSet<>();
        Set<String> execCommandsNeeded = new LinkedHashSet<>();
        // Said only if the rewrite goes ahead: over the annotations' limit, nothing is moved and no record changes.
        List<String> rewriteWarnings = new ArrayList<>();
        // Collected here and added to the record once: copying the record per probe made big pods quadratic.
        Map<String, Probe> recorded = new LinkedHashMap<>();
        // Stale records whose probe stays as it is now: the record goes, or undo would restore a probe long replaced.
        Set<String> dropped = new LinkedHashSet<>();

        for (ProbedContainer probed : containers) {
            for (HandlerKind kind : HANDLER_KINDS) {
                Probe probe = kind.get(probed.container());
                if (probe == null) {
                    continue;
                }
                String key = ProbeDecision.probeKey(probed.ref().name(), kind);
                Context ctx = new Context(pod, namespace, podOracle, probed, kind, probe, settings, podBlocked,
                        istioRewrites, exemption, portMode, prober, os, originals.contains(key));
                Outcome outcome = decide(ctx);
                String rule = null;
                if (outcome instanceof Outcome.ToConvert c) {
                    rule = c.mtlsRule();
                    if (annotationsAtLeast > AnnotationsSize.LIMIT_BYTES) {
                        cutOff++;
                        outcome = new Outcome.Unchanged(true, rule + "; left unchanged: "
                                + AnnotationsSize.OVER_THE_LIMIT);
                    } else {
                        outcome = convert(ctx, c);
                    }
                }
                if (stale.contains(key)) {
                    // An invalid setting leaves its scope as it was, the record included.
                    boolean scopeOpen = podBlocked.isEmpty()
                            && !settings.containerBlocked().containsKey(probed.ref().name());
                    boolean replaced = scopeOpen && outcome instanceof Outcome.Rewritten;
                    if (scopeOpen && !replaced) {
                        dropped.add(key);
                    }
                    rewriteWarnings.add(key + " " + (kind instanceof HookKind ? "hook" : "probe") + " is in "
                            + Annotations.ORIGINAL_PROBES + " but not as probe-rewriter wrote it (edited since?):"
                            + " decided as it is now" + (replaced ? ", the record now holds it"
                            : scopeOpen ? ", its record dropped" : ""));
                }
                if (outcome instanceof Outcome.Rewritten r) {
                    rules.add(rule);
                    decisions.add(new ProbeDecision(probed.ref(), kind, r.action(), true, r.reason(), r.excludedPort()));
                    if (r.action() != Action.KEPT_ON_HEALTH_PORT) {
                        replacements.add(new ProbeReplacement(probed.ref(), kind, r.probe()));
                    }
                    // A kept probe is recorded too: the next pass then knows it is done, and the status names it.
                    if (recorded.put(key, probe) == null) {
                        annotationsAtLeast += AnnotationsSize.recordedAtLeast(key);
                    }
                    r.excludedPort().ifPresent(excludedPorts::add);
                    if (r.warning() != null) {
                        rewriteWarnings.add(key + " probe " + r.warning());
                    }
                    if (r.action() == Action.REWRITTEN_EXEC && !ProberPlacement.runsProber(r.probe())) {
                        execCommandsNeeded.add("container " + probed.ref().name() + ": the exec probe runs "
                                + r.probe().getExec().getCommand().get(0) + ", which must exist in its image");
                    }
                } else if (outcome instanceof Outcome.Unchanged u) {
                    rules.add(null);
                    decisions.add(new ProbeDecision(probed.ref(), kind, Action.UNCHANGED, u.brokenByMtls(), u.reason()));
                    if (u.warning() != null) {
                        warnings.add(key + " " + (kind instanceof HookKind ? "hook" : "probe")
                                + " stays broken by mTLS: " + u.warning());
                    }
                }
            }
        }

        if (cutOff > 0) {
            return leftUnchangedOverTheLimit(annotations, decisions, rules, warnings, cutOff);
        }
        TreeMap<String, String> annotationUpdates = new TreeMap<>();
        TreeSet<String> annotationRemovals = new TreeSet<>();
        if (!excludedPorts.isEmpty() || !replacements.isEmpty() || !dropped.isEmpty()) {
            // Stale entries kept only where an invalid setting blocks their scope.
            OriginalProbes updatedOriginals = recordedBefore.without(dropped).withAll(recorded);
            if (updatedOriginals.entries().isEmpty()) {
                for (String key : List.of(Annotations.ORIGINAL_PROBES, Annotations.STATUS)) {
                    if (annotations.containsKey(key)) {
                        annotationRemovals.add(key);
                    }
                }
            } else {
                annotationUpdates.put(Annotations.ORIGINAL_PROBES, updatedOriginals.toAnnotation());
                annotationUpdates.put(Annotations.STATUS, status(updatedOriginals, containers, replacements));
            }
            for (String exclusionKey : global.exclusionAnnotations()) {
                String value = InterceptionExclusion.merge(annotations.get(exclusionKey), excludedPorts);
                if (value != null) {
                    annotationUpdates.put(exclusionKey, value);
                }
            }
            annotationUpdates.entrySet().removeIf(e -> e.getValue().equals(annotations.get(e.getKey())));
        }
        if (!annotationUpdates.isEmpty()
                && AnnotationsSize.after(annotations, annotationUpdates) > AnnotationsSize.LIMIT_BYTES) {
            return leftUnchangedOverTheLimit(annotations, decisions, rules, warnings, 0);
        }
        warnings.addAll(rewriteWarnings);
        warnings.addAll(execCommandsNeeded);
        ProberInjection injection = prober.missing(handlersAfter(containers, replacements), byRef(containers),
                global.proberImage(), namespace.containerLimits(), writesProberCommands(replacements));
        List<ArgumentReplacement> arguments = global.exclusionAnnotations()
                .contains(Annotations.ISTIO_EXCLUDE_INBOUND_PORTS)
                ? IstioInitExclusion.merge(spec.getInitContainers(), excludedPorts).stream().toList() : List.of();
        return new RewriteResult(decisions, warnings, replacements, annotationUpdates, injection, arguments,
                annotationRemovals);
    }

    /**
     * The keys of the record whose probe is no longer what the engine wrote for it ({@link EngineOutput}). A probe
     * gone from the pod is not stale: the record is all that is left of it, for undo.
     */
    private static Set<String> staleRecords(List<ProbedContainer> containers, PodSettings settings,
                                            OriginalProbes originals) {
        if (originals.entries().isEmpty()) {
            return Set.of();
        }
        Set<String> stale = new HashSet<>();
        for (ProbedContainer probed : containers) {
            ContainerSettings own = settings.containers().get(probed.ref().name());
            for (HandlerKind kind : HANDLER_KINDS) {
                String key = ProbeDecision.probeKey(probed.ref().name(), kind);
                Probe probe = kind.get(probed.container());
                if (probe != null && originals.contains(key)
                        && !EngineOutput.madeFrom(probe, () -> originals.original(key), own, probed.container())) {
                    stale.add(key);
                }
            }
        }
        return stale;
    }

    private static boolean writesProberCommands(List<ProbeReplacement> replacements) {
        for (ProbeReplacement replacement : replacements) {
            if (ProberPlacement.runsProber(replacement.probe())) {
                return true;
            }
        }
        return false;
    }

    /** Every handler of every probed container as it will be once the replacements are in. */
    private static Map<ContainerRef, List<Probe>> handlersAfter(List<ProbedContainer> containers,
                                                                List<ProbeReplacement> replacements) {
        record Site(ContainerRef container, HandlerKind kind) {
        }
        Map<Site, Probe> replaced = new HashMap<>();
        replacements.forEach(r -> replaced.put(new Site(r.container(), r.kind()), r.probe()));
        Map<ContainerRef, List<Probe>> handlers = new LinkedHashMap<>();
        for (ProbedContainer c : containers) {
            List<Probe> after = new ArrayList<>(HANDLER_KINDS.size());
            for (HandlerKind kind : HANDLER_KINDS) {
                Probe replacement = replaced.get(new Site(c.ref(), kind));
                after.add(replacement != null ? replacement : kind.get(c.container()));
            }
            handlers.put(c.ref(), after);
        }
        return handlers;
    }

    private static Map<ContainerRef, Container> byRef(List<ProbedContainer> containers) {
        Map<ContainerRef, Container> result = new HashMap<>();
        containers.forEach(c -> result.put(c.ref(), c.container()));
        return result;
    }

    /**
     * The rewrite would take the pod's annotations past what the API server accepts: the pod would be refused, which
     * is worse than probes left broken. All or nothing, as for an invalid setting: every probe stays as it was, and
     * the person who applied the pod hears why and what to do.
     */
    private static RewriteResult leftUnchangedOverTheLimit(Map<String, String> annotations,
                                                           List<ProbeDecision> decisions, List<String> rules,
                                                           List<String> warnings, int cutOff) {
        long toRewrite = cutOff + decisions.stream().filter(d -> d.action().rewritten()).count();
        String probes = String.format(Locale.ROOT, "%,d %s", toRewrite, toRewrite == 1 ? "probe" : "probes");
        long already = AnnotationsSize.after(annotations, Map.of());
        List<String> kept = new ArrayList<>(warnings);
        kept.add(0, already > AnnotationsSize.LIMIT_BYTES
                // Not ours to fix: the API server refuses the pod whatever we do.
                ? String.format(Locale.ROOT, "the pod's annotations already take %,d bytes, past the API server's"
                        + " limit of %,d bytes (256 KiB, all annotations together): the pod will be refused; its %s"
                        + " to rewrite left unchanged", already, AnnotationsSize.LIMIT_BYTES, probes)
                // Short enough for the webhook's 256 characters a line with its prefix, the advice included: a
                // warning cut before what to do tells kubectl's user nothing they can act on. The record is
                // probe-rewriter.io/original-probes; each decision's reason says more.
                : String.format(Locale.ROOT, "%s to rewrite left unchanged: recording them would take the pod's"
                        + " annotations past the API server's 256 KiB, and the pod would be refused; rewrite fewer"
                        + " (%s.<container>: off) or split the pod", probes, Annotations.MODE));
        List<ProbeDecision> unchanged = new ArrayList<>(decisions.size());
        for (int i = 0; i < decisions.size(); i++) {
            ProbeDecision d = decisions.get(i);
            unchanged.add(d.action().rewritten() ? new ProbeDecision(d.container(), d.kind(), Action.UNCHANGED, true,
                    rules.get(i) + "; left unchanged: " + AnnotationsSize.OVER_THE_LIMIT) : d);
        }
        return new RewriteResult(unchanged, kept, List.of(), new TreeMap<>());
    }

    private record ProbedContainer(ContainerRef ref, Container container, boolean probedByKubelet) {
    }

    /** @param oracle the mTLS oracle for this pod ({@link MtlsOracle#forPod}) */
    private record Context(Pod pod, NamespaceContext namespace, MtlsOracle oracle, ProbedContainer probed,
                           HandlerKind kind, Probe probe, PodSettings settings, Optional<String> podBlocked,
                           boolean istioRewrites, Optional<ProbeExemption> exemption, PortModeGuard portMode,
                           ProberPlacement prober, PodOs os, boolean alreadyRewritten) {
    }

    /** What port mode checks a health port against, the same for every probe of the pod. */
    private record PortModeGuard(HealthPortPolicy policy, CapturedPorts istioCaptured, Set<Integer> appPorts) {
    }

    private Outcome decide(Context ctx) {
        Probe probe = ctx.probe();
        String container = ctx.probed().ref().name();
        boolean hook = ctx.kind() instanceof HookKind;
        if (!ctx.probed().probedByKubelet()) {
            return new Outcome.Unchanged(false, "init container " + container
                    + " is not a native sidecar (restartPolicy: Always): the kubelet does not run its probes");
        }
        if (global.proxyContainers().contains(container)) {
            return new Outcome.Unchanged(false, "container " + container
                    + " is the mesh's own proxy: it answers its probes itself, outside mTLS");
        }
        if (ctx.alreadyRewritten()) {
            return new Outcome.Unchanged(false, "already rewritten by probe-rewriter (the original is in "
                    + Annotations.ORIGINAL_PROBES + ")");
        }
        List<String> handlers = handlers(probe);
        if (handlers.size() > 1) {
            // The API server refuses such a pod after the webhooks have run; which handler the kubelet would use is
            // undefined, so none is rewritten (and the conversions may assume exactly one).
            return new Outcome.Unchanged(false, "the " + (hook ? "hook" : "probe") + " has more than one handler ("
                    + String.join(", ", handlers) + "): Kubernetes refuses it as it stands, so it is left as is");
        }
        if (probe.getExec() != null) {
            return new Outcome.Unchanged(false, "exec " + (hook ? "hook" : "probe")
                    + ": it runs inside the container, where mTLS does not apply");
        }
        if (hook && probe.getHttpGet() == null) {
            return new Outcome.Unchanged(false, probe.getTcpSocket() != null
                    ? "tcpSocket hook: the kubelet does not run it (deprecated, accepted only for compatibility)"
                    : "sleep hook: the kubelet pauses the container and sends nothing to the pod");
        }
        if (ctx.exemption().isPresent()
                && (!ctx.exemption().get().httpOnly() || (probe.getHttpGet() != null && !hook))) {
            return new Outcome.Unchanged(false, ctx.exemption().get().reason());
        }
        Outcome targeted = targetPort(ctx);
        if (!(targeted instanceof Outcome.ToConvert t)) {
            return targeted;
        }
        MtlsVerdict verdict = ctx.oracle().check(target(ctx, t.port()));
        if (!verdict.rejectsPlaintext()) {
            return new Outcome.Unchanged(false, verdict.rule() + ": the kubelet's plaintext request gets through");
        }
        String rule = probe.getTcpSocket() != null ? verdict.rule() + "; the sidecar accepts the kubelet's"
                + " connection itself, so the tcpSocket probe passes even when the app is gone" : verdict.rule();
        if (ctx.podBlocked().isPresent()) {
            return new Outcome.Unchanged(true, rule + "; left unchanged: " + ctx.podBlocked().get());
        }
        String containerProblem = ctx.settings().containerBlocked().get(container);
        if (containerProblem != null) {
            return new Outcome.Unchanged(true, rule + "; left unchanged: " + containerProblem);
        }
        ContainerSettings settings = ctx.settings().containers().get(container);
        // probe-rewriter.io/probes selects probes; a hook follows the container's mode alone.
        if (ctx.kind() instanceof ProbeKind kind && !settings.probeKinds().value().contains(kind)) {
            return new Outcome.Unchanged(true, rule + "; left unchanged: " + kind.word()
                    + " probes are not selected (" + settings.probeKinds().source() + ")");
        }
        if (settings.mode().value() == Mode.OFF) {
            return new Outcome.Unchanged(true, rule + "; left unchanged: mode off (" + settings.mode().source() + ")");
        }
        return new Outcome.ToConvert(rule, t.port(), settings);
    }

    /** The handlers a probe names, in the API's order: a valid one names exactly one (a sleep hook none). */
    private static List<String> handlers(Probe probe) {
        List<String> named = new ArrayList<>(2);
        if (probe.getExec() != null) {
            named.add("exec");
        }
        if (probe.getHttpGet() != null) {
            named.add("httpGet");
        }
        if (probe.getTcpSocket() != null) {
            named.add("tcpSocket");
        }
        if (probe.getGrpc() != null) {
            named.add("grpc");
        }
        return named;
    }

    /**
     * The port the kubelet connects to for this handler, as a {@link Outcome.ToConvert} without rule or settings yet;
     * or why the handler is left as it is: it targets another host, Istio answers it, or its port cannot be resolved.
     */
    private Outcome targetPort(Context ctx) {
        Probe probe = ctx.probe();
        boolean hook = ctx.kind() instanceof HookKind;
        // Istio moves probes to its own agent when it rewrites them; hooks only since 1.25, so they are rewritten here
        // whatever Istio does (the prober works under both).
        String istio = ctx.istioRewrites() && !hook ? "Istio rewrites this pod's probes itself ("
                + Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS + ": \"true\")" : null;
        HTTPGetAction get = probe.getHttpGet();
        if (get != null) {
            if (get.getHost() != null && !get.getHost().isEmpty()) {
                return new Outcome.Unchanged(false, "the " + (hook ? "hook" : "probe") + " targets host "
                        + get.getHost() + ", not the pod: the kubelet's request does not pass this pod's sidecar, and"
                        + " a command on localhost would check something else");
            }
            if (get.getPath() != null && get.getPath().startsWith(ISTIO_APP_HEALTH_PATH)) {
                return new Outcome.Unchanged(false, "already on Istio's " + ISTIO_APP_HEALTH_PATH
                        + " path: Istio's pilot-agent answers this probe");
            }
            if (istio != null) {
                return new Outcome.Unchanged(false, istio);
            }
            return resolved(PortResolution.of(get.getPort(), ctx.probed().container()));
        }
        if (probe.getTcpSocket() != null) {
            String host = probe.getTcpSocket().getHost();
            if (host != null && !host.isEmpty()) {
                return new Outcome.Unchanged(false, "the probe targets host " + host + ", not the pod: the kubelet's"
                        + " connection does not pass this pod's sidecar");
            }
            if (istio != null) {
                return new Outcome.Unchanged(false, istio);
            }
            return resolved(PortResolution.of(probe.getTcpSocket().getPort(), ctx.probed().container()));
        }
        if (probe.getGrpc() != null) {
            if (istio != null) {
                return new Outcome.Unchanged(false, istio);
            }
            Integer grpcPort = probe.getGrpc().getPort();
            if (grpcPort == null) {
                return new Outcome.Unchanged(false, "grpc probe without a port: left as is");
            }
            return resolved(PortResolution.number(grpcPort));
        }
        return new Outcome.Unchanged(false, "the probe has no handler");
    }

    /** A port that cannot be resolved leaves nothing to rewrite to, and fails as it stands: it is reported broken. */
    private static Outcome resolved(PortResolution port) {
        return port.ok() ? new Outcome.ToConvert(null, port.port(), null) : new Outcome.Unchanged(true, port.problem());
    }

    private Outcome convert(Context ctx, Outcome.ToConvert c) {
        return switch (c.settings().mode().value()) {
            case EXEC -> ExecConversion.convert(ctx.kind(), ctx.probe(), c.port(), c.settings(), c.mtlsRule(),
                    global.userAgent(), ctx.prober().problem(ctx.probed().ref(), ctx.probed().container(), ctx.kind()),
                    ctx.os());
            case PORT -> ctx.probe().getHttpGet() != null && ctx.kind() instanceof ProbeKind
                    ? PortConversion.convert(ctx.probe(), ctx.probed().container(), c.port(), c.settings(),
                    c.mtlsRule(), ctx.portMode().policy(), ctx.portMode().istioCaptured(), ctx.portMode().appPorts())
                    : PortConversion.notMovable(ctx.kind(), ctx.probe(), c.mtlsRule());
            case OFF -> throw new IllegalStateException("mode off has nothing to convert");
        };
    }

    private static ProbeTarget target(Context ctx, int port) {
        return new ProbeTarget(ctx.pod(), ctx.namespace(), ctx.probed().ref(), ctx.probed().container(), ctx.kind(),
                port);
    }

    /**
     * The ports probes of the pod target while not on their own container's health port: ports the app serves on.
     * A health port must not be one of them, or port mode would take the app's own traffic out of mTLS. A probe this
     * tool already rewrote counts by its original, so that a second pass decides as the first did.
     */
    private static Set<Integer> appPorts(List<ProbedContainer> containers, PodSettings settings,
                                         OriginalProbes originals) {
        Set<Integer> ports = new HashSet<>();
        for (ProbedContainer probed : containers) {
            ContainerSettings own = settings.containers().get(probed.ref().name());
            Optional<PortResolution> health = own == null ? Optional.empty()
                    : own.resolvedHealthPort(probed.container());
            for (HandlerKind kind : HANDLER_KINDS) {
                Probe probe = originals.original(ProbeDecision.probeKey(probed.ref().name(), kind))
                        .orElse(kind.get(probed.container()));
                IntOrString target = probe == null ? null
                        : probe.getHttpGet() != null ? probe.getHttpGet().getPort()
                        : probe.getTcpSocket() != null ? probe.getTcpSocket().getPort()
                        : probe.getGrpc() != null && probe.getGrpc().getPort() != null
                        ? new IntOrString(probe.getGrpc().getPort()) : null;
                if (target == null) {
                    continue;
                }
                PortResolution port = PortResolution.of(target, probed.container());
                boolean onItsHealthPort = health.isPresent() && health.get().ok() && port.ok()
                        && health.get().port() == port.port();
                if (port.ok() && !onItsHealthPort) {
                    ports.add(port.port());
                }
            }
        }
        return ports;
    }

    /**
     * Two containers of one name (init containers and containers share one set of names): the API server refuses the
     * pod after the webhooks, and the record of original probes, keyed by container name, could not say whose probe
     * is whose. Nothing is rewritten, so that the user meets the API server's own message about the names.
     */
    private static Optional<String> sharedContainerName(PodSpec spec) {
        // Every admission passes here: places are formatted only for the name found twice.
        List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
        List<Container> mains = spec.getContainers() == null ? List.of() : spec.getContainers();
        Map<String, Integer> firstByName = new HashMap<>();
        for (int at = 0; at < inits.size() + mains.size(); at++) {
            Container c = at < inits.size() ? inits.get(at) : mains.get(at - inits.size());
            if (c == null || c.getName() == null || c.getName().isEmpty()) {
                continue;
            }
            Integer first = firstByName.putIfAbsent(c.getName(), at);
            if (first != null) {
                return Optional.of(place(at, inits.size()) + " has the name \"" + c.getName() + "\" of "
                        + place(first, inits.size()) + ", which the API server refuses (a pod's containers and init"
                        + " containers need names of their own)");
            }
        }
        return Optional.empty();
    }

    /** Init containers first, then containers, counted as one list. */
    private static String place(int at, int inits) {
        return at < inits ? ContainerSection.INIT_CONTAINERS.fieldName() + "[" + at + "]"
                : ContainerSection.CONTAINERS.fieldName() + "[" + (at - inits) + "]";
    }

    /** Containers without a name cannot be addressed by annotations or named in decisions: they stay as they are. */
    private static List<ProbedContainer> probedContainers(PodSpec spec, List<String> warnings) {
        List<ProbedContainer> result = new ArrayList<>();
        List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
        for (int i = 0; i < inits.size(); i++) {
            Container c = inits.get(i);
            if (c == null || c.getName() == null || c.getName().isEmpty()) {
                warnings.add("initContainers[" + i + "] has no name: its probes are left unchanged");
                continue;
            }
            boolean nativeSidecar = "Always".equals(c.getRestartPolicy());
            result.add(new ProbedContainer(new ContainerRef(ContainerSection.INIT_CONTAINERS, i, c.getName()), c,
                    nativeSidecar));
        }
        List<Container> mains = spec.getContainers() == null ? List.of() : spec.getContainers();
        for (int i = 0; i < mains.size(); i++) {
            Container c = mains.get(i);
            if (c == null || c.getName() == null || c.getName().isEmpty()) {
                warnings.add("containers[" + i + "] has no name: its probes are left unchanged");
                continue;
            }
            result.add(new ProbedContainer(new ContainerRef(ContainerSection.CONTAINERS, i, c.getName()), c, true));
        }
        return result;
    }

    /**
     * A summary over every probe rewritten so far (this pass and earlier ones), derived from what the probes
     * are now, so that a second pass over the same pod writes the same words.
     */
    private static String status(OriginalProbes originals, List<ProbedContainer> containers,
                                 List<ProbeReplacement> replacements) {
        Map<String, Probe> current = new LinkedHashMap<>();
        for (ProbedContainer c : containers) {
            for (HandlerKind kind : HANDLER_KINDS) {
                Probe p = kind.get(c.container());
                if (p != null) {
                    current.put(ProbeDecision.probeKey(c.ref().name(), kind), p);
                }
            }
        }
        for (ProbeReplacement r : replacements) {
            current.put(ProbeDecision.probeKey(r.container().name(), r.kind()), r.probe());
        }
        List<String> parts = new ArrayList<>();
        for (String key : originals.entries().keySet()) {
            Probe now = current.get(key);
            String how = now == null ? "removed" : now.getExec() != null ? "exec" : now.getHttpGet() != null ? "port" : "other";
            parts.add(key + " " + how);
        }
        return "rewrote " + parts.size() + (parts.size() == 1 ? " probe: " : " probes: ") + String.join(", ", parts);
    }
}
