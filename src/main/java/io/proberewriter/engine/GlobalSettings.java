package io.proberewriter.engine;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lowest level of configuration: what applies when neither namespace nor pod says otherwise.
 *
 * @param mode                     default mode ({@code exec})
 * @param execCommand              default exec command style ({@code prober})
 * @param probeKinds               which probe kinds are rewritten by default (all three)
 * @param exclusionAnnotations     pod annotations that exclude inbound ports from the mesh's interception;
 *                                 port mode merges the health port into each (Istio's key by default)
 * @param userAgent                the User-Agent an exec probe sends unless the probe sets its own, as the kubelet
 *                                 sends {@code kube-probe/<major>.<minor>}
 * @param proxyContainers          names of mesh proxy containers (istio-proxy, linkerd-proxy, …): their probes are
 *                                 answered by the proxy itself, outside mTLS, and are never touched
 * @param allowedHealthPorts       the ports that may become plaintext health ports in a namespace that does not say
 *                                 ({@code probe-rewriter.io/allowed-health-ports}); none by default
 * @param proberImage              the image an injected init container copies the prober from
 */
public record GlobalSettings(
        Mode mode,
        ExecCommandStyle execCommand,
        Set<ProbeKind> probeKinds,
        List<String> exclusionAnnotations,
        String userAgent,
        Set<String> proxyContainers,
        PortList allowedHealthPorts,
        String proberImage) {

    // The defaults, written once, as the words a user writes: ProbeRewriterConfig's @WithDefault values, the CLI's
    // help text and defaults() below all read these, so the webhook, the CLI and the docs cannot drift apart.
    public static final String DEFAULT_MODE = "exec";
    /** The prober: it needs nothing in the image, where curl and wget are missing from most images shipped today. */
    public static final String DEFAULT_EXEC_COMMAND = "prober";
    public static final String DEFAULT_PROBES = "liveness,readiness,startup";
    public static final String DEFAULT_EXCLUSION_ANNOTATIONS = Annotations.ISTIO_EXCLUDE_INBOUND_PORTS;
    /** The kubelet's own User-Agent, of the Kubernetes minor release this version follows. */
    public static final String DEFAULT_USER_AGENT = "kube-probe/1.35";
    public static final String DEFAULT_PROXY_CONTAINERS =
            "istio-proxy,linkerd-proxy,kuma-sidecar,consul-dataplane,envoy-sidecar";
    /** The Dockerfile's prober target, tagged with this version; retag for a registry with the setting. */
    public static final String DEFAULT_PROBER_IMAGE = "probe-rewriter-prober:0.1.0";

    public GlobalSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(execCommand, "execCommand");
        probeKinds = probeKinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(probeKinds));
        exclusionAnnotations = List.copyOf(exclusionAnnotations);
        Objects.requireNonNull(userAgent, "userAgent");
        proxyContainers = Set.copyOf(proxyContainers);
        Objects.requireNonNull(allowedHealthPorts, "allowedHealthPorts");
        Objects.requireNonNull(proberImage, "proberImage");
    }

    public static GlobalSettings defaults() {
        return new GlobalSettings(Mode.parse(DEFAULT_MODE).orElseThrow(),
                ExecCommandStyle.parse(DEFAULT_EXEC_COMMAND).orElseThrow(),
                words(DEFAULT_PROBES).stream().map(word -> ProbeKind.fromWord(word).orElseThrow())
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(ProbeKind.class))),
                words(DEFAULT_EXCLUSION_ANNOTATIONS), DEFAULT_USER_AGENT, Set.copyOf(words(DEFAULT_PROXY_CONTAINERS)),
                PortList.none(), DEFAULT_PROBER_IMAGE);
    }

    private static List<String> words(String commaSeparated) {
        return List.of(commaSeparated.split(","));
    }

    public GlobalSettings withMode(Mode newMode) {
        return new GlobalSettings(newMode, execCommand, probeKinds, exclusionAnnotations,
                userAgent, proxyContainers, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withExecCommand(ExecCommandStyle style) {
        return new GlobalSettings(mode, style, probeKinds, exclusionAnnotations,
                userAgent, proxyContainers, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withProbeKinds(Set<ProbeKind> kinds) {
        return new GlobalSettings(mode, execCommand, kinds, exclusionAnnotations,
                userAgent, proxyContainers, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withExclusionAnnotations(List<String> keys) {
        return new GlobalSettings(mode, execCommand, probeKinds, keys,
                userAgent, proxyContainers, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withUserAgent(String agent) {
        return new GlobalSettings(mode, execCommand, probeKinds, exclusionAnnotations,
                agent, proxyContainers, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withAllowedHealthPorts(PortList ports) {
        return new GlobalSettings(mode, execCommand, probeKinds, exclusionAnnotations,
                userAgent, proxyContainers, ports, proberImage);
    }

    public GlobalSettings withProxyContainers(Set<String> names) {
        return new GlobalSettings(mode, execCommand, probeKinds, exclusionAnnotations,
                userAgent, names, allowedHealthPorts, proberImage);
    }

    public GlobalSettings withProberImage(String image) {
        return new GlobalSettings(mode, execCommand, probeKinds, exclusionAnnotations,
                userAgent, proxyContainers, allowedHealthPorts, image);
    }
}
