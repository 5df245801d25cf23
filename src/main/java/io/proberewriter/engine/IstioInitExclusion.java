package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Port mode's exclusion where Istio's sidecar is already in the pod. The API server calls mutating webhooks in the
 * order of their configurations' names, so Istio's injector ({@code istio-sidecar-injector}, {@code istio-revision-tag-…})
 * has run before this webhook, and its init container {@code istio-init} carries the pod's iptables rules as arguments
 * worked out from the annotations it saw: {@code -d} lists the inbound ports left alone. Istio CNI reads the pod's
 * annotations when it sets up the pod's network, after admission, so the annotation is enough there; {@code istio-init}
 * never reads it again, so the health port is merged into its {@code -d} as well, as the injector would have written
 * it had the annotation been there before it. Without that, the sidecar would still take the kubelet's plaintext
 * request on the health port, and under STRICT refuse it.
 *
 * <p>Nothing is changed where Istio captures a list of ports ({@code -b} other than {@code *}): it then ignores
 * {@code -d}, and port mode has already refused a health port in that list ({@link #capturedPorts}).
 */
final class IstioInitExclusion {

    static final String CONTAINER = "istio-init";
    private static final List<String> EXCLUDE_FLAGS = List.of("-d", "--inbound-ports-exclude");
    private static final List<String> INCLUDE_FLAGS = List.of("-b", "--inbound-ports-include");

    private IstioInitExclusion() {
    }

    /**
     * The argument of {@code istio-init} to replace so that its exclusions cover {@code ports}; empty where there is no
     * such init container, or nothing to add.
     *
     * @param initContainers the pod's init containers, as sent
     */
    static Optional<ArgumentReplacement> merge(List<Container> initContainers, Collection<Integer> ports) {
        if (ports.isEmpty() || initContainers == null) {
            return Optional.empty();
        }
        for (int i = 0; i < initContainers.size(); i++) {
            Container init = initContainers.get(i);
            if (init == null || !CONTAINER.equals(init.getName()) || init.getArgs() == null
                    || !init.getArgs().contains("istio-iptables")) {
                continue;
            }
            List<String> args = init.getArgs();
            Optional<String> include = value(args, INCLUDE_FLAGS).map(Flag::value);
            if (include.isPresent() && !"*".equals(include.get())) {
                return Optional.empty();
            }
            Optional<Flag> exclude = value(args, EXCLUDE_FLAGS);
            if (exclude.isEmpty()) {
                return Optional.empty();
            }
            Flag flag = exclude.get();
            String merged = InterceptionExclusion.merge(flag.value(), ports);
            if (merged == null || merged.equals(flag.value())) {
                return Optional.empty();
            }
            ContainerRef ref = new ContainerRef(ContainerSection.INIT_CONTAINERS, i, CONTAINER);
            return Optional.of(new ArgumentReplacement(ref, flag.index(), flag.prefix() + merged));
        }
        return Optional.empty();
    }

    /**
     * The ports {@code istio-init} captures ({@code -b}) in a pod Istio has already injected; empty without one. The
     * injector wrote it from the annotation or from the mesh's default, which the annotation alone does not show.
     */
    static Optional<String> capturedPorts(List<Container> initContainers) {
        if (initContainers == null) {
            return Optional.empty();
        }
        for (Container init : initContainers) {
            if (init != null && CONTAINER.equals(init.getName()) && init.getArgs() != null
                    && init.getArgs().contains("istio-iptables")) {
                return value(init.getArgs(), INCLUDE_FLAGS).map(Flag::value);
            }
        }
        return Optional.empty();
    }

    /** A flag's value, where it sits in the arguments and what comes before it in that argument ("-d=" or nothing). */
    private record Flag(int index, String prefix, String value) {
    }

    /** The last occurrence wins, as for Go's and cobra's flag parsing. */
    private static Optional<Flag> value(List<String> args, List<String> names) {
        Flag found = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg == null) {
                continue;
            }
            for (String name : names) {
                if (arg.equals(name) && i + 1 < args.size() && args.get(i + 1) != null) {
                    found = new Flag(i + 1, "", args.get(i + 1));
                } else if (arg.startsWith(name + "=")) {
                    found = new Flag(i, name + "=", arg.substring(name.length() + 1));
                }
            }
        }
        return Optional.ofNullable(found);
    }
}
