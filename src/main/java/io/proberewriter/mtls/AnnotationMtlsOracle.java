package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.MtlsVerdict;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeTarget;
import io.proberewriter.meshes.PodPorts;
import io.proberewriter.messages.Excerpt;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The mesh-agnostic resolver: the pod says which of its ports are under mTLS, in
 * {@code probe-rewriter.io/mtls-ports} — comma-separated port numbers or container port names (looked up in all of
 * the pod's containers, since the annotation is the pod's). Listed ports reject plaintext, other ports accept it,
 * and a pod without the annotation has no mTLS port. For meshes this tool cannot read (Linkerd, Consul, Kuma, a
 * home-made mTLS sidecar).
 *
 * <p>An entry that is neither a port number (1–65535) nor a port name of the pod makes the whole list
 * untrustworthy: then every port counts as under mTLS, as with assume-all. The list was written to say "these
 * ports break plaintext probes"; a typo must not silently turn that into "no port does", which would leave the
 * probes broken.
 */
public final class AnnotationMtlsOracle implements MtlsOracle {

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        return forPod(target.pod(), target.namespace()).check(target);
    }

    /** The pod's list, read and resolved once for all its probes: it may be long, and the pod may have many ports. */
    @Override
    public MtlsOracle forPod(Pod pod, NamespaceContext namespace) {
        Map<String, String> annotations = pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
                ? Map.of() : pod.getMetadata().getAnnotations();
        String value = annotations.get(Annotations.MTLS_PORTS);
        if (value == null) {
            return target -> MtlsVerdict.accepts("port " + target.port() + " not under mTLS (the pod has no "
                    + Annotations.MTLS_PORTS + " annotation; resolver annotation)");
        }
        PodPorts ports = PodPorts.of(pod);
        List<String> invalid = new ArrayList<>();
        Set<Integer> listed = new HashSet<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            Optional<Integer> resolved = resolve(entry, ports);
            if (resolved.isEmpty()) {
                invalid.add(entry);
            } else {
                listed.add(resolved.get());
            }
        }
        String quoted = Excerpt.of(value);
        if (!invalid.isEmpty()) {
            String entries = Excerpt.of(String.join("\", \"", invalid));
            return target -> MtlsVerdict.rejects("port " + target.port() + " counts as under mTLS: "
                    + Annotations.MTLS_PORTS + " entry \"" + entries + "\" is neither a port number nor a port name"
                    + " of this pod, so every port counts (resolver annotation)");
        }
        return target -> listed.contains(target.port())
                ? MtlsVerdict.rejects("port " + target.port() + " under mTLS (" + Annotations.MTLS_PORTS + ": \""
                        + quoted + "\"; resolver annotation)")
                : MtlsVerdict.accepts("port " + target.port() + " not under mTLS (not in " + Annotations.MTLS_PORTS
                        + ": \"" + quoted + "\"; resolver annotation)");
    }

    private static Optional<Integer> resolve(String entry, PodPorts ports) {
        if (entry.matches("\\d{1,5}")) {
            int number = Integer.parseInt(entry);
            return number >= 1 && number <= 65535 ? Optional.of(number) : Optional.empty();
        }
        return ports.named(entry);
    }
}
