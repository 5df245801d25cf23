package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.NamespaceContext;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the pod has, or will get, Istio's sidecar — the only thing in the pod that could refuse the kubelet.
 * Follows the selectors of Istio's default injection webhooks and the injector's own policy check.
 *
 * @param meshed          an istio-proxy container is there or the injector will add one
 * @param alreadyInjected the istio-proxy container is already in the pod spec: Istio's probe rewrite has happened
 *                        (or not) already
 * @param why             what decided, in words
 */
record SidecarInjection(boolean meshed, boolean alreadyInjected, String why) {

    static final String PROXY_CONTAINER = "istio-proxy";
    static final String NAMESPACE_INJECTION_LABEL = "istio-injection";
    static final String REVISION_LABEL = "istio.io/rev";
    static final String INJECT_KEY = "sidecar.istio.io/inject";

    static SidecarInjection of(Pod pod, NamespaceContext namespace) {
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return new SidecarInjection(false, false, "hostNetwork: true; Istio never meshes host-network pods");
        }
        if (PodContainers.of(pod).anyMatch(c -> PROXY_CONTAINER.equals(c.getName()))) {
            return new SidecarInjection(true, true, "container " + PROXY_CONTAINER + " present");
        }
        Map<String, String> nsLabels = namespace == null ? Map.of() : namespace.labels();
        String nsName = namespace == null || namespace.name() == null ? "?" : namespace.name();
        Map<String, String> podLabels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> podAnnotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();

        String nsInjection = nsLabels.get(NAMESPACE_INJECTION_LABEL);
        if ("disabled".equals(nsInjection)) {
            // Neither webhook selects such a namespace, whatever the pod says.
            return new SidecarInjection(false, false, "namespace " + nsName + " has istio-injection=disabled");
        }
        boolean namespaceInjects = "enabled".equals(nsInjection) || nsLabels.containsKey(REVISION_LABEL);
        if (namespaceInjects) {
            // The injector reads the label first, then the legacy annotation: "y", "yes", "true", "on" inject,
            // absent means the namespace's choice, anything else opts out.
            boolean fromLabel = podLabels.containsKey(INJECT_KEY);
            String choice = fromLabel ? podLabels.get(INJECT_KEY) : podAnnotations.get(INJECT_KEY);
            if (choice == null || choice.isEmpty()) {
                return new SidecarInjection(true, false, "namespace " + nsName + " "
                        + (nsInjection != null ? "has istio-injection=enabled" : "has label " + REVISION_LABEL));
            }
            String where = fromLabel ? "pod label " : "pod annotation ";
            return switch (choice.toLowerCase(Locale.ROOT)) {
                case "y", "yes", "true", "on" -> new SidecarInjection(true, false, where + INJECT_KEY + ": \"" + choice + "\"");
                default -> new SidecarInjection(false, false, where + INJECT_KEY + ": \"" + choice + "\"");
            };
        }
        // Outside injecting namespaces only the pod-level webhook runs, and it selects on labels, not annotations.
        if ("true".equals(podLabels.get(INJECT_KEY))) {
            return new SidecarInjection(true, false, "pod label " + INJECT_KEY + ": \"true\"");
        }
        if (podLabels.containsKey(REVISION_LABEL)) {
            return new SidecarInjection(true, false, "pod label " + REVISION_LABEL);
        }
        String annotationNote = "true".equalsIgnoreCase(podAnnotations.get(INJECT_KEY))
                ? "; the pod annotation " + INJECT_KEY + " alone does not call the injector" : "";
        return new SidecarInjection(false, false, "namespace " + nsName + " has neither istio-injection=enabled nor "
                + REVISION_LABEL + ", and the pod has no " + INJECT_KEY + "=true label" + annotationNote);
    }
}
