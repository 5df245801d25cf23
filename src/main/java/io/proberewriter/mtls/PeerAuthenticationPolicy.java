package io.proberewriter.mtls;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.proberewriter.messages.Excerpt;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@code security.istio.io} PeerAuthentication (v1 and v1beta1 share one schema), reduced to what decides
 * whether a port accepts plaintext.
 *
 * @param selector  {@code spec.selector.matchLabels}; empty when absent or empty — Istio then treats the policy as
 *                  namespace-wide (or mesh-wide in the root namespace)
 * @param mode      {@code spec.mtls.mode}, UNSET when absent
 * @param portLevel {@code spec.portLevelMtls}: container port → mode
 */
record PeerAuthenticationPolicy(PolicyIdentity id, Map<String, String> selector, MtlsMode mode,
                                Map<Integer, MtlsMode> portLevel) {

    PeerAuthenticationPolicy {
        selector = Collections.unmodifiableMap(new TreeMap<>(selector));
        portLevel = Collections.unmodifiableMap(new TreeMap<>(portLevel));
    }

    boolean hasSelector() {
        return !selector.isEmpty();
    }

    /**
     * @param ignored collects why a resource was skipped: a policy Istio would not accept is ignored whole, so that
     *                half a policy never decides
     */
    static Optional<PeerAuthenticationPolicy> parse(GenericKubernetesResource resource, List<String> ignored) {
        PolicyIdentity id = PolicyIdentity.of(resource);
        String what = IstioKind.PEER_AUTHENTICATION_V1.kind() + " " + id.display();
        if (id.namespace() == null || id.name() == null) {
            ignored.add(what + ": no namespace or name");
            return Optional.empty();
        }
        Optional<UntypedMap> readSpec = UntypedMap.specOf(resource, what, ignored);
        if (readSpec.isEmpty()) {
            return Optional.empty();
        }
        UntypedMap spec = readSpec.get();

        Map<String, String> selector = new LinkedHashMap<>();
        if (!spec.isMapOrAbsent("selector")) {
            ignored.add(what + ": spec.selector is not an object");
            return Optional.empty();
        }
        UntypedMap selectorMap = spec.map("selector").orElse(UntypedMap.of(null));
        if (!selectorMap.isMapOrAbsent("matchLabels")) {
            ignored.add(what + ": spec.selector.matchLabels is not an object");
            return Optional.empty();
        }
        for (Map.Entry<?, ?> e : selectorMap.map("matchLabels").orElse(UntypedMap.of(null)).values().entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof String value)) {
                ignored.add(what + ": spec.selector.matchLabels holds a value that is not a string");
                return Optional.empty();
            }
            selector.put(key, value);
        }

        Optional<MtlsMode> mode = mode(spec.raw("mtls"));
        if (mode.isEmpty()) {
            ignored.add(what + ": spec.mtls.mode is not one of UNSET, DISABLE, PERMISSIVE, STRICT");
            return Optional.empty();
        }

        Map<Integer, MtlsMode> portLevel = new LinkedHashMap<>();
        if (!spec.isMapOrAbsent("portLevelMtls")) {
            ignored.add(what + ": spec.portLevelMtls is not an object");
            return Optional.empty();
        }
        for (Map.Entry<?, ?> e : spec.map("portLevelMtls").orElse(UntypedMap.of(null)).values().entrySet()) {
            Optional<Integer> port = portKey(e.getKey());
            Optional<MtlsMode> portMode = mode(e.getValue());
            if (port.isEmpty() || portMode.isEmpty()) {
                // Quoted: " 8000" and "8000" must not read alike.
                ignored.add(what + ": spec.portLevelMtls entry \"" + Excerpt.of(String.valueOf(e.getKey()))
                        + "\" is not a port with a valid mode");
                return Optional.empty();
            }
            portLevel.put(port.get(), portMode.get());
        }
        return Optional.of(new PeerAuthenticationPolicy(id, selector, mode.get(), portLevel));
    }

    /** A {@code mtls} object: absent, null or without {@code mode} means UNSET. */
    private static Optional<MtlsMode> mode(Object mtls) {
        if (mtls == null) {
            return Optional.of(MtlsMode.UNSET);
        }
        if (!(mtls instanceof Map<?, ?>)) {
            return Optional.empty();
        }
        Object mode = ((Map<?, ?>) mtls).get("mode");
        if (mode == null) {
            return Optional.of(MtlsMode.UNSET);
        }
        return mode instanceof String s ? MtlsMode.parse(s) : Optional.empty();
    }

    /**
     * A port as Istio reads a {@code portLevelMtls} key: ASCII decimal, 1-65535, written as Istio writes it. JSON keys
     * are strings ("8000"); maps built in code may use numbers.
     *
     * <p>Istio takes a key only when both of its readers do. The CRD's validation ({@code int(key)}, 1 to 65535)
     * refuses 0, 65536 and up, and spaces; istiod decodes the key as a JSON number into a uint32, which refuses a
     * sign ("+80") and leading zeros ("0080") that the CRD lets through, so that such a policy is stored but never
     * applied. Neither reads other scripts' digits, which Integer.parseInt and Character.isDigit take ("٨٠" as 80).
     * Anything else makes the policy one Istio would not accept, ignored whole by {@link #parse}.
     */
    private static Optional<Integer> portKey(Object key) {
        return IstioPortNumber.parse(key);
    }
}
