package io.proberewriter.meshes;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;

/**
 * Pods whose probes never meet mTLS, whatever the mesh's policies say, read from the pod and its namespace alone:
 * nothing sits in front of their ports, or their own mesh already carries the kubelet's probes past its mTLS. The
 * engine leaves their probes alone under every resolver, with this reason.
 *
 * <p>What each rule relies on (docs/mtls-resolution.md, "Pods that never need a rewrite"):
 * <ul>
 *   <li><b>host network</b>: the pod shares the node's network namespace; no sidecar's iptables rules, and no
 *       ambient redirection, apply to it, so the kubelet's request reaches the process directly;</li>
 *   <li><b>Istio ambient</b> (label {@code istio.io/dataplane-mode: ambient} on the pod, else on its namespace, and
 *       no sidecar): istio-cni's rules inside the pod let the kubelet's probes, which the node sends from the
 *       link-local SNAT address 169.254.7.127, bypass ztunnel;</li>
 *   <li><b>Consul</b> (pod annotation {@code consul.hashicorp.com/connect-inject: "true"}, or already injected):
 *       with transparent proxy on, Consul's injector points HTTP probes at plaintext listeners of its Envoy
 *       ({@code consul.hashicorp.com/transparent-proxy-overwrite-probes}); both are on unless the pod says
 *       {@code "false"}, as in consul-k8s' defaults;</li>
 *   <li><b>Kuma / Kong Mesh</b> (label or annotation {@code kuma.io/sidecar-injection: enabled} on the pod, the
 *       label on its namespace, or already injected): Kuma's application probe proxy (port
 *       {@code kuma.io/application-probe-proxy-port}, {@code "0"} turns it off) answers HTTP and gRPC probes in
 *       plaintext and probes the app over localhost (HTTP, gRPC and TCP); without it, its virtual probes
 *       ({@code kuma.io/virtual-probes}, on unless {@code disabled}) still carry HTTP probes.</li>
 * </ul>
 *
 * @param reason   why, for the probe's decision
 * @param httpOnly whether only HTTP probes are carried past mTLS (Consul, Kuma's virtual probes); otherwise every
 *                 probe of the pod is, gRPC and TCP included
 */
public record ProbeExemption(String reason, boolean httpOnly) {

    static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
    static final String CONSUL_INJECT = "consul.hashicorp.com/connect-inject";
    static final String CONSUL_INJECT_STATUS = "consul.hashicorp.com/connect-inject-status";
    static final String CONSUL_TRANSPARENT_PROXY = "consul.hashicorp.com/transparent-proxy";
    static final String CONSUL_OVERWRITE_PROBES = "consul.hashicorp.com/transparent-proxy-overwrite-probes";
    static final String KUMA_INJECTION = "kuma.io/sidecar-injection";
    static final String KUMA_INJECTED = "kuma.io/sidecar-injected";
    static final String KUMA_SIDECAR_CONTAINER = "kuma-sidecar";
    static final String KUMA_PROBE_PROXY_PORT = "kuma.io/application-probe-proxy-port";
    static final String KUMA_VIRTUAL_PROBES = "kuma.io/virtual-probes";

    /**
     * @param namespace       the pod's namespace name
     * @param namespaceLabels its labels (empty when unknown)
     */
    public static Optional<ProbeExemption> of(Pod pod, String namespace, Map<String, String> namespaceLabels) {
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return Optional.of(new ProbeExemption("hostNetwork: true: the pod uses the node's network, where no"
                    + " sidecar or mesh redirection sits in front of its ports, so the kubelet reaches the app directly",
                    false));
        }
        Map<String, String> nsLabels = namespaceLabels == null ? Map.of() : namespaceLabels;
        Map<String, String> labels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        return ambient(pod, namespace, nsLabels, labels)
                .or(() -> consul(pod, annotations))
                .or(() -> kuma(pod, namespace, nsLabels, labels, annotations));
    }

    private static Optional<ProbeExemption> ambient(Pod pod, String namespace, Map<String, String> nsLabels,
                                                    Map<String, String> labels) {
        String mode = labels.containsKey(DATAPLANE_MODE) ? labels.get(DATAPLANE_MODE) : nsLabels.get(DATAPLANE_MODE);
        if (!"ambient".equals(mode)) {
            return Optional.empty();
        }
        // A sidecar takes precedence over ambient capture. The namespace is read as known here: an ambient label
        // on the pod with nothing known of the namespace must not be overruled by an assumed sidecar.
        if (IstioSidecar.of(pod, namespace, nsLabels, true).meshed()) {
            return Optional.empty();
        }
        String where = labels.containsKey(DATAPLANE_MODE) ? "pod label" : "namespace " + namespace + " label";
        return Optional.of(new ProbeExemption("Istio ambient (" + where + " " + DATAPLANE_MODE + "=ambient, no"
                + " sidecar): the kubelet's probes come from the node's SNAT address 169.254.7.127, which ztunnel's"
                + " redirection lets through without mTLS", false));
    }

    private static Optional<ProbeExemption> consul(Pod pod, Map<String, String> annotations) {
        boolean injected = "true".equals(annotations.get(CONSUL_INJECT))
                || "injected".equals(annotations.get(CONSUL_INJECT_STATUS));
        if (!injected) {
            return Optional.empty();
        }
        Optional<Boolean> transparent = GoBool.parse(annotations.get(CONSUL_TRANSPARENT_PROXY));
        Optional<Boolean> overwrite = GoBool.parse(annotations.get(CONSUL_OVERWRITE_PROBES));
        if (!transparent.orElse(true) || !overwrite.orElse(true)) {
            return Optional.empty();
        }
        String because = overwrite.isPresent() ? CONSUL_OVERWRITE_PROBES + ": \"" + annotations.get(CONSUL_OVERWRITE_PROBES) + "\""
                : "Consul's default with transparent proxy; the pod does not set " + CONSUL_OVERWRITE_PROBES;
        return Optional.of(new ProbeExemption("Consul points this pod's HTTP probes at plaintext listeners of its"
                + " Envoy, outside mTLS (" + because + ")", true));
    }

    private static Optional<ProbeExemption> kuma(Pod pod, String namespace, Map<String, String> nsLabels,
                                                 Map<String, String> labels, Map<String, String> annotations) {
        String podChoice = labels.containsKey(KUMA_INJECTION) ? labels.get(KUMA_INJECTION) : annotations.get(KUMA_INJECTION);
        boolean injected = "true".equals(annotations.get(KUMA_INJECTED))
                || PodContainers.of(pod).anyMatch(c -> KUMA_SIDECAR_CONTAINER.equals(c.getName()));
        boolean meshed = injected || (podChoice != null ? enabled(podChoice) : enabled(nsLabels.get(KUMA_INJECTION)));
        if (!meshed) {
            return Optional.empty();
        }
        String where = injected ? "Kuma's sidecar is injected" : podChoice != null ? "pod " + KUMA_INJECTION + ": " + podChoice
                : "namespace " + namespace + " label " + KUMA_INJECTION + "=" + nsLabels.get(KUMA_INJECTION);
        boolean probeProxy = !"0".equals(annotations.getOrDefault(KUMA_PROBE_PROXY_PORT, "").trim());
        if (probeProxy) {
            return Optional.of(new ProbeExemption("Kuma's application probe proxy answers this pod's probes in"
                    + " plaintext and probes the app over localhost (" + where + "; " + KUMA_PROBE_PROXY_PORT
                    + " is not 0)", false));
        }
        if (!"disabled".equals(annotations.get(KUMA_VIRTUAL_PROBES))) {
            return Optional.of(new ProbeExemption("Kuma's virtual probes carry this pod's HTTP probes past mTLS ("
                    + where + "; " + KUMA_VIRTUAL_PROBES + " is not disabled)", true));
        }
        return Optional.empty();
    }

    private static boolean enabled(String value) {
        return "enabled".equals(value) || "true".equals(value);
    }
}
