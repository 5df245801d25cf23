package io.proberewriter.meshes;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.messages.Excerpt;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the pod has, or will get, Istio's sidecar — what could refuse the kubelet in front of the app. Follows the
 * selectors of Istio's default injection webhooks and the injector's own policy check.
 *
 * @param meshed          an istio-proxy container is there or the injector will add one
 * @param alreadyInjected the istio-proxy container is already in the pod spec: Istio's probe rewrite has happened
 *                        (or not) already
 * @param why             what decided, in words
 */
public record IstioSidecar(boolean meshed, boolean alreadyInjected, String why) {

    public static final String PROXY_CONTAINER = "istio-proxy";
    public static final String NAMESPACE_INJECTION_LABEL = "istio-injection";
    public static final String REVISION_LABEL = "istio.io/rev";
    public static final String INJECT_KEY = "sidecar.istio.io/inject";

    /**
     * @param namespaceKnown whether the namespace was seen at all. Its labels decide injection; when they are
     *                       unknown (a manifest without its Namespace document) the pod is taken to be meshed, since
     *                       the question is asked about workloads of a mesh, and "not meshed" would leave a probe
     *                       under mTLS broken. A pod that opts out itself is still not meshed.
     */
    public static IstioSidecar of(Pod pod, String namespace, Map<String, String> namespaceLabels,
                                  boolean namespaceKnown) {
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return new IstioSidecar(false, false, "hostNetwork: true; Istio never meshes host-network pods");
        }
        if (PodContainers.of(pod).anyMatch(c -> PROXY_CONTAINER.equals(c.getName()))) {
            return new IstioSidecar(true, true, "container " + PROXY_CONTAINER + " present");
        }
        Map<String, String> nsLabels = namespaceLabels == null ? Map.of() : namespaceLabels;
        String nsName = namespace == null ? "?" : namespace;
        Map<String, String> podLabels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> podAnnotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();

        String nsInjection = nsLabels.get(NAMESPACE_INJECTION_LABEL);
        if ("disabled".equals(nsInjection)) {
            // Neither webhook selects such a namespace, whatever the pod says.
            return new IstioSidecar(false, false, "namespace " + nsName + " has istio-injection=disabled");
        }
        boolean namespaceInjects = "enabled".equals(nsInjection) || nsLabels.containsKey(REVISION_LABEL);
        if (namespaceInjects || !namespaceKnown) {
            String because = !namespaceInjects ? "namespace " + nsName + " is not known (no Namespace in the input):"
                    + " taken to inject the sidecar"
                    : "namespace " + nsName + " " + (nsInjection != null ? "has istio-injection=enabled"
                    : "has label " + REVISION_LABEL);
            // The injector reads the label first, then the legacy annotation: "y", "yes", "true", "on" inject,
            // absent means the namespace's choice, anything else opts out.
            boolean fromLabel = podLabels.containsKey(INJECT_KEY);
            String choice = fromLabel ? podLabels.get(INJECT_KEY) : podAnnotations.get(INJECT_KEY);
            if (choice == null || choice.isEmpty()) {
                return new IstioSidecar(true, false, because);
            }
            String where = fromLabel ? "pod label " : "pod annotation ";
            return switch (choice.toLowerCase(Locale.ROOT)) {
                case "y", "yes", "true", "on" -> new IstioSidecar(true, false, where + INJECT_KEY + ": \"" + choice + "\"");
                default -> new IstioSidecar(false, false, where + INJECT_KEY + ": \"" + Excerpt.of(choice) + "\"");
            };
        }
        // Outside injecting namespaces only the pod-level webhook runs, and it selects on labels, not annotations.
        if ("true".equals(podLabels.get(INJECT_KEY))) {
            return new IstioSidecar(true, false, "pod label " + INJECT_KEY + ": \"true\"");
        }
        if (podLabels.containsKey(REVISION_LABEL)) {
            return new IstioSidecar(true, false, "pod label " + REVISION_LABEL);
        }
        String annotationNote = "true".equalsIgnoreCase(podAnnotations.get(INJECT_KEY))
                ? "; the pod annotation " + INJECT_KEY + " alone does not call the injector" : "";
        return new IstioSidecar(false, false, "namespace " + nsName + " has neither istio-injection=enabled nor "
                + REVISION_LABEL + ", and the pod has no " + INJECT_KEY + "=true label" + annotationNote);
    }

    /**
     * The revision whose injector handles the pod: the namespace's {@code istio.io/rev} (or the default revision
     * for {@code istio-injection=enabled}), else the pod's {@code istio.io/rev}, else the default revision — the
     * order in which Istio's revisioned webhooks select. Empty string for the default revision.
     */
    public static String revision(Pod pod, Map<String, String> namespaceLabels) {
        Map<String, String> nsLabels = namespaceLabels == null ? Map.of() : namespaceLabels;
        if ("enabled".equals(nsLabels.get(NAMESPACE_INJECTION_LABEL))) {
            return "";
        }
        String nsRevision = nsLabels.get(REVISION_LABEL);
        if (nsRevision != null) {
            return "default".equals(nsRevision) ? "" : nsRevision;
        }
        Map<String, String> podLabels = pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                ? Map.of() : pod.getMetadata().getLabels();
        String podRevision = podLabels.get(REVISION_LABEL);
        return podRevision == null || "default".equals(podRevision) ? "" : podRevision;
    }
}
