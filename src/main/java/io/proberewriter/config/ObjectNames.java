package io.proberewriter.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API server's rules for the names settings give: an annotation key (a qualified name, as in
 * {@code traffic.sidecar.istio.io/excludeInboundPorts}) and a namespace or container name (a DNS-1123 label). A
 * setting that breaks them would be written into every manifest or pod and refused by the API server there, so it is
 * refused where it is given.
 */
public final class ObjectNames {

    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private ObjectNames() {
    }

    /** What is wrong with {@code key} as an annotation key, or empty when the API server accepts it. */
    public static Optional<String> annotationKeyProblem(String key) {
        String rule = "an annotation key is an optional DNS subdomain prefix and '/', then a name of at most 63"
                + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (prefix != null && (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
            return Optional.of("'" + key + "' is not an annotation key: " + rule);
        }
        if (name.isEmpty() || name.length() > 63 || !NAME_PART.matcher(name).matches()) {
            return Optional.of("'" + key + "' is not an annotation key: " + rule);
        }
        return Optional.empty();
    }

    /** What is wrong with {@code name} as a namespace or container name, or empty when the API server accepts it. */
    public static Optional<String> labelProblem(String name, String what) {
        if (name.isEmpty() || name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a " + what + " name: at most 63 lowercase letters, digits or"
                    + " '-', starting and ending with a letter or digit");
        }
        return Optional.empty();
    }
}
