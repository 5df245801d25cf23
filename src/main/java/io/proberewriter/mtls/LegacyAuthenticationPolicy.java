package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code authentication.istio.io/v1alpha1} {@code Policy} or {@code MeshPolicy}, the API of the seeds (Istio
 * 0.8 to 1.5), reduced to its targets and to what its {@code peers} do to plaintext.
 *
 * @param meshWide true for a MeshPolicy
 * @param targets  {@code spec.targets}: empty for a namespace-wide Policy
 * @param effect   STRICT when {@code peers} holds an {@code mtls} entry (PERMISSIVE when that entry says
 *                 {@code mode: PERMISSIVE}); DISABLE when there are no peers — the seeds' way to switch mTLS off
 */
record LegacyAuthenticationPolicy(PolicyIdentity id, boolean meshWide, List<Target> targets, MtlsMode effect) {


    /** Istio honours only the namespace-wide Policy and the MeshPolicy named {@code default}. */
    static final String DEFAULT_NAME = "default";

    LegacyAuthenticationPolicy {
        targets = List.copyOf(targets);
    }

    /** A Service name, and optionally the service ports (by number or name) the policy is limited to. */
    record Target(String service, List<PortSelector> ports) {
        Target {
            ports = List.copyOf(ports);
        }
    }

    /** One of {@code number} (a service port) or {@code name} (a service port's name). */
    record PortSelector(Integer number, String name) {
        String display() {
            return number != null ? String.valueOf(number) : "\"" + name + "\"";
        }
    }

    String kindAndName() {
        return (meshWide ? IstioKind.MESH_POLICY : IstioKind.POLICY).kind() + " " + id.display();
    }

    static Optional<LegacyAuthenticationPolicy> parse(GenericKubernetesResource resource, boolean meshWide,
                                                      List<String> ignored) {
        PolicyIdentity id = PolicyIdentity.of(resource);
        String what = (meshWide ? IstioKind.MESH_POLICY : IstioKind.POLICY).kind() + " " + id.display();
        if (id.name() == null || (!meshWide && id.namespace() == null)) {
            ignored.add(what + ": no namespace or name");
            return Optional.empty();
        }
        Optional<UntypedMap> readSpec = UntypedMap.specOf(resource, what, ignored);
        if (readSpec.isEmpty()) {
            return Optional.empty();
        }
        UntypedMap spec = readSpec.get();

        List<Target> targets = new ArrayList<>();
        if (!meshWide && spec.raw("targets") != null) {
            Optional<List<?>> rawTargets = spec.list("targets");
            if (rawTargets.isEmpty()) {
                ignored.add(what + ": spec.targets is not a list");
                return Optional.empty();
            }
            for (Object rawTarget : rawTargets.get()) {
                Optional<Target> target = target(rawTarget);
                if (target.isEmpty()) {
                    ignored.add(what + ": a target has no service name or an unreadable port");
                    return Optional.empty();
                }
                targets.add(target.get());
            }
        }

        Optional<MtlsMode> effect = effect(spec.raw("peers"));
        if (effect.isEmpty()) {
            ignored.add(what + ": spec.peers is not a list of peer methods, or its mtls mode is not STRICT/PERMISSIVE");
            return Optional.empty();
        }
        return Optional.of(new LegacyAuthenticationPolicy(id, meshWide, targets, effect.get()));
    }

    private static Optional<Target> target(Object raw) {
        if (!(raw instanceof Map<?, ?>)) {
            return Optional.empty();
        }
        UntypedMap target = UntypedMap.of(raw);
        Optional<String> name = target.string("name").filter(n -> !n.isBlank());
        if (name.isEmpty()) {
            return Optional.empty();
        }
        List<PortSelector> ports = new ArrayList<>();
        if (target.raw("ports") != null) {
            Optional<List<?>> rawPorts = target.list("ports");
            if (rawPorts.isEmpty()) {
                return Optional.empty();
            }
            for (Object rawPort : rawPorts.get()) {
                UntypedMap port = UntypedMap.of(rawPort);
                Object rawNumber = port.raw("number");
                Optional<Integer> number = IstioPortNumber.parse(rawNumber);
                Optional<String> portName = port.string("name").filter(n -> !n.isBlank());
                if (rawNumber != null && number.isEmpty()) {
                    // No port: Pilot cannot decode it ("080", "+80", 80.5) and then drops the whole policy, or
                    // it names none (0, above 65535). The target is unreadable even with a name beside the number.
                    return Optional.empty();
                }
                if (number.isPresent()) {
                    ports.add(new PortSelector(number.get(), null));
                } else if (portName.isPresent()) {
                    ports.add(new PortSelector(null, portName.get()));
                } else {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new Target(name.get(), ports));
    }

    /**
     * {@code peers: [{mtls: }]} (YAML gives {@code mtls: null}) and {@code mtls: {}} both mean mTLS on; {@code peers:}
     * alone (null) or {@code []} means no peer authentication, so plaintext is accepted.
     */
    private static Optional<MtlsMode> effect(Object rawPeers) {
        if (rawPeers == null) {
            return Optional.of(MtlsMode.DISABLE);
        }
        if (!(rawPeers instanceof List<?> peers)) {
            return Optional.empty();
        }
        MtlsMode effect = MtlsMode.DISABLE;
        for (Object rawPeer : peers) {
            if (!(rawPeer instanceof Map<?, ?> peer)) {
                return Optional.empty();
            }
            if (!peer.containsKey("mtls")) {
                continue;
            }
            Object mtls = peer.get("mtls");
            if (mtls != null && !(mtls instanceof Map<?, ?>)) {
                return Optional.empty();
            }
            Object mode = mtls == null ? null : ((Map<?, ?>) mtls).get("mode");
            if (mode == null || "STRICT".equals(mode)) {
                return Optional.of(MtlsMode.STRICT);
            }
            if (!"PERMISSIVE".equals(mode)) {
                return Optional.empty();
            }
            effect = MtlsMode.PERMISSIVE;
        }
        return Optional.of(effect);
    }
}
