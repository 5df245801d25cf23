package io.proberewriter.portexceptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.proberewriter.config.ExceptionMode;
import io.proberewriter.json.Mappers;
import io.proberewriter.mtls.GeneratedPolicy;
import io.proberewriter.mtls.IstioKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which port-level exception should exist for one workload, given its health ports and the policies and Services
 * around it. Pure: everything it reads is an argument, and it answers with writes and warnings, so the rules are
 * tested without a cluster and the reconciler only carries them out.
 *
 * <p>The PeerAuthentication selects the workload's pods by their template labels, leaves {@code mtls.mode} UNSET so
 * every other port keeps the namespace's (or mesh's) mode, and sets each health port in {@code portLevelMtls}.
 * Istio reads only one workload-level policy per pod, the oldest: a policy of someone else's that is older and
 * selects the same pods makes ours dead weight, so it is not written, and the workload gets a warning instead.
 */
final class PortExceptionPlanner {

    static final String MANAGED_BY_LABEL = GeneratedPolicy.LABEL;
    static final String MANAGED_BY = GeneratedPolicy.VALUE;

    static final String REASON_CONFLICT = "PortExceptionConflict";
    static final String REASON_SHADOWS = "PortExceptionShadowsPolicy";
    static final String REASON_ROOT_NAMESPACE = "PortExceptionRootNamespace";
    static final String REASON_NO_LABELS = "PortExceptionNoLabels";
    static final String REASON_NAME_TAKEN = "PortExceptionNameTaken";
    static final String REASON_NO_SERVICE = "PortExceptionNoService";

    private static final ObjectMapper JSON = Mappers.TREES;
    /** Kubernetes object names (DNS subdomains) are at most 253 characters. */
    private static final int MAX_NAME = 253;

    private final ExceptionMode mode;
    private final boolean legacyPolicy;
    private final String rootNamespace;

    /**
     * @param legacyPolicy  whether a v1alpha1 Policy is wanted (configured); written only where it is served
     * @param rootNamespace Istio's root namespace, where a workload policy is not honoured
     */
    PortExceptionPlanner(ExceptionMode mode, boolean legacyPolicy, String rootNamespace) {
        this.mode = mode;
        this.legacyPolicy = legacyPolicy;
        this.rootNamespace = rootNamespace;
    }

    /**
     * What the cluster serves, as API discovery found it.
     *
     * @param peerAuthentication the PeerAuthentication version to write; empty when not served
     * @param policy             whether v1alpha1 Policy is served
     */
    record Served(Optional<IstioKind> peerAuthentication, boolean policy) {
    }

    /**
     * @param healthPorts the health ports the engine gives the workload's pods; empty when none is needed (not in
     *                    port mode, no mTLS, namespace not opted in)
     * @param ownPods     the workload's own pods running now: Istio matches a selector against a pod's labels, and
     *                    a pod carries some its template does not
     * @param policies    cached PeerAuthentications and Policies (any namespace; others are ignored)
     * @param services    cached Services (any namespace)
     */
    PortExceptionPlan plan(Workload workload, SortedSet<HealthPort> healthPorts, List<Pod> ownPods, Served served,
                           List<GenericKubernetesResource> policies, List<Service> services) {
        List<PolicyChange> changes = new ArrayList<>();
        List<PortExceptionPlan.Warning> warnings = new ArrayList<>();
        String name = policyName(workload);
        served.peerAuthentication().ifPresent(kind ->
                planPeerAuthentication(kind, workload, name, healthPorts, ownPods, policies, changes, warnings));
        if (served.policy()) {
            planLegacyPolicy(workload, name, legacyPolicy ? healthPorts : new TreeSet<>(HealthPort.ORDER), policies,
                    services, changes, warnings);
        }
        return new PortExceptionPlan(changes, warnings);
    }

    // ------------------------------------------------------------------------------------------------------------
    // PeerAuthentication

    private void planPeerAuthentication(IstioKind kind, Workload workload, String name,
                                        SortedSet<HealthPort> healthPorts, List<Pod> ownPods,
                                        List<GenericKubernetesResource> policies, List<PolicyChange> changes,
                                        List<PortExceptionPlan.Warning> warnings) {
        List<GenericKubernetesResource> inNamespace = policies.stream()
                .filter(p -> IstioKind.PEER_AUTHENTICATION_V1.kind().equals(p.getKind()))
                .filter(p -> workload.namespace().equals(namespaceOf(p)))
                .toList();
        Optional<GenericKubernetesResource> existing = inNamespace.stream()
                .filter(p -> name.equals(p.getMetadata().getName())).findFirst();
        if (existing.isPresent() && !managed(existing.get())) {
            if (!healthPorts.isEmpty()) {
                warnings.add(new PortExceptionPlan.Warning(REASON_NAME_TAKEN, "PeerAuthentication "
                        + display(workload.namespace(), name) + " exists and is not managed by probe-rewriter (no label "
                        + MANAGED_BY_LABEL + "=" + MANAGED_BY + "): the health port exception for " + workload.display()
                        + " is not written; rename or label that policy"));
            }
            return;
        }
        Optional<GenericKubernetesResource> desired = desiredPeerAuthentication(kind, workload, name, healthPorts,
                ownPods, inNamespace, existing, warnings);
        reconcile(kind, workload.namespace(), name, existing, desired, changes);
    }

    private Optional<GenericKubernetesResource> desiredPeerAuthentication(
            IstioKind kind, Workload workload, String name, SortedSet<HealthPort> healthPorts, List<Pod> ownPods,
            List<GenericKubernetesResource> inNamespace, Optional<GenericKubernetesResource> existing,
            List<PortExceptionPlan.Warning> warnings) {
        if (healthPorts.isEmpty()) {
            return Optional.empty();
        }
        String ours = "PeerAuthentication " + display(workload.namespace(), name);
        if (workload.namespace().equals(rootNamespace)) {
            // A selector-less policy there would be mesh-wide, and Istio ignores a workload selector there: refuse.
            warnings.add(new PortExceptionPlan.Warning(REASON_ROOT_NAMESPACE, workload.display() + " is in Istio's root"
                    + " namespace " + rootNamespace + ", where a PeerAuthentication applies to the whole mesh: no health"
                    + " port exception is written for port " + ports(healthPorts) + "; move the workload, or disable"
                    + " mTLS for that port by hand"));
            return Optional.empty();
        }
        if (workload.templateLabels().isEmpty()) {
            warnings.add(new PortExceptionPlan.Warning(REASON_NO_LABELS, workload.display() + " has no pod template"
                    + " labels to select its pods by: a PeerAuthentication without selector would apply to the whole"
                    + " namespace, so " + ours + " is not written"));
            return Optional.empty();
        }
        Identity ourIdentity = existing.map(Identity::of).orElse(new Identity(name, Instant.MAX));
        // Istio applies, pod by pod, the oldest workload policy whose selector matches that pod's labels. A pod
        // carries labels its template does not (service.istio.io/canonical-name from Istio's injector,
        // pod-template-hash, statefulset.kubernetes.io/pod-name), which a user's policy may select by: the live pods
        // are judged by their own labels, and the template's labels stand for the pods only while none runs.
        Map<String, Map<String, String>> labelsByPod = new LinkedHashMap<>();
        ownPods.stream().filter(p -> p.getMetadata() != null && p.getMetadata().getLabels() != null)
                .forEach(p -> labelsByPod.put("Pod " + display(workload.namespace(), p.getMetadata().getName()),
                        p.getMetadata().getLabels()));
        if (labelsByPod.isEmpty()) {
            labelsByPod.put("the pods to come", workload.templateLabels());
        }
        List<GenericKubernetesResource> rivals = inNamespace.stream()
                .filter(p -> !name.equals(p.getMetadata().getName()))
                .filter(p -> labelsByPod.values().stream().anyMatch(labels -> selects(p, labels)))
                .sorted(Comparator.comparing(Identity::of, Identity.OLDEST_FIRST))
                .toList();
        boolean inEffectSomewhere = false;
        // Each older policy that wins on some pods without letting the health ports through, with those pods.
        Map<GenericKubernetesResource, List<String>> refusing = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> pod : labelsByPod.entrySet()) {
            Optional<GenericKubernetesResource> winner = rivals.stream()
                    .filter(p -> Identity.OLDEST_FIRST.compare(Identity.of(p), ourIdentity) < 0)
                    .filter(p -> selects(p, pod.getValue()))
                    .findFirst();
            if (winner.isEmpty()) {
                inEffectSomewhere = true;
            } else if (!healthPorts.stream().allMatch(hp -> letsPlaintextThrough(winner.get(), hp.port()))) {
                refusing.computeIfAbsent(winner.get(), w -> new ArrayList<>()).add(pod.getKey());
            }
        }
        refusing.forEach((theirs, pods) -> warnings.add(conflict(workload, ours, theirs,
                pods.size() == labelsByPod.size() ? List.of() : pods, healthPorts)));
        if (!inEffectSomewhere) {
            // Older policies decide every pod: ours would be dead weight. Where they let the health ports through,
            // the exception exists already.
            return Optional.empty();
        }
        rivals.stream().filter(p -> Identity.OLDEST_FIRST.compare(Identity.of(p), ourIdentity) > 0).findFirst()
                .ifPresent(newer -> warnings.add(new PortExceptionPlan.Warning(REASON_SHADOWS,
                "PeerAuthentication " + display(workload.namespace(), newer.getMetadata().getName())
                        + " also selects the pods of " + workload.display() + " but is newer than " + ours
                        + "; Istio applies only the oldest workload policy, so it is ignored for these pods."
                        + " Move its settings into a policy that also sets portLevelMtls {" + portLevelHint(healthPorts)
                        + "}, or delete it")));
        return Optional.of(peerAuthentication(kind, workload, name, healthPorts));
    }

    /**
     * Why the health ports are not exempted where an older policy of someone else's decides.
     *
     * @param pods the pods it decides; empty when it decides every pod, and ours is then not written
     */
    private PortExceptionPlan.Warning conflict(Workload workload, String ours, GenericKubernetesResource older,
                                               List<String> pods, SortedSet<HealthPort> healthPorts) {
        String theirs = "PeerAuthentication " + display(workload.namespace(), older.getMetadata().getName());
        boolean everyPod = pods.isEmpty();
        String reach = everyPod ? "already selects the pods of " + workload.display()
                : "selects " + String.join(", ", pods.subList(0, Math.min(pods.size(), 5)))
                + (pods.size() > 5 ? " and " + (pods.size() - 5) + " more" : "") + " of " + workload.display();
        String fate = everyPod ? " would be ignored and is not written" : " is ignored for those pods";
        return new PortExceptionPlan.Warning(REASON_CONFLICT, theirs + " " + reach + " and is older than " + ours
                + "; Istio applies only the oldest workload policy, so " + ours + fate + ". Health port "
                + ports(healthPorts) + " is not exempted from mTLS by a policy" + (everyPod ? "" : " there")
                + ": add portLevelMtls {" + portLevelHint(healthPorts) + "} to " + theirs);
    }

    private GenericKubernetesResource peerAuthentication(IstioKind kind, Workload workload, String name,
                                                         SortedSet<HealthPort> healthPorts) {
        Map<String, Object> portLevel = new LinkedHashMap<>();
        for (HealthPort hp : healthPorts) {
            portLevel.put(Integer.toString(hp.port()), Map.of("mode", mode.name()));
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", Map.of("matchLabels", new TreeMap<>(workload.templateLabels())));
        // Explicitly UNSET: the workload's other ports inherit the namespace's or the mesh's mode.
        spec.put("mtls", Map.of("mode", "UNSET"));
        spec.put("portLevelMtls", portLevel);
        return resource(kind, workload, name, spec);
    }

    // ------------------------------------------------------------------------------------------------------------
    // v1alpha1 Policy

    private void planLegacyPolicy(Workload workload, String name, SortedSet<HealthPort> healthPorts,
                                  List<GenericKubernetesResource> policies, List<Service> services,
                                  List<PolicyChange> changes, List<PortExceptionPlan.Warning> warnings) {
        Optional<GenericKubernetesResource> existing = policies.stream()
                .filter(p -> IstioKind.POLICY.kind().equals(p.getKind()))
                .filter(p -> workload.namespace().equals(namespaceOf(p)))
                .filter(p -> name.equals(p.getMetadata().getName()))
                .findFirst();
        if (existing.isPresent() && !managed(existing.get())) {
            return;
        }
        Optional<GenericKubernetesResource> desired = Optional.empty();
        if (!healthPorts.isEmpty()) {
            List<Map<String, Object>> targets = legacyTargets(workload, healthPorts, services);
            if (targets.isEmpty()) {
                warnings.add(new PortExceptionPlan.Warning(REASON_NO_SERVICE, "no Service in " + workload.namespace()
                        + " selects the pods of " + workload.display() + " and sends to health port "
                        + ports(healthPorts) + ": a v1alpha1 Policy can only name service ports, so Policy "
                        + display(workload.namespace(), name) + " is not written"));
            } else {
                desired = Optional.of(resource(IstioKind.POLICY, workload, name, Map.of("targets", targets)));
            }
        }
        reconcile(IstioKind.POLICY, workload.namespace(), name, existing, desired, changes);
    }

    /**
     * One target per Service that selects the pods, with the service ports that reach a health port. v1alpha1
     * targets name service ports, not container ports, so a health port behind a different service port is named
     * by that port; no {@code peers} means plaintext is accepted there.
     */
    private static List<Map<String, Object>> legacyTargets(Workload workload, SortedSet<HealthPort> healthPorts,
                                                           List<Service> services) {
        List<Map<String, Object>> targets = new ArrayList<>();
        List<Service> selecting = services.stream()
                .filter(s -> s.getMetadata() != null && workload.namespace().equals(s.getMetadata().getNamespace()))
                .filter(s -> s.getSpec() != null && s.getSpec().getSelector() != null
                        && !s.getSpec().getSelector().isEmpty()
                        && workload.templateLabels().entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .toList();
        for (Service service : selecting) {
            SortedSet<Integer> numbers = new TreeSet<>();
            for (ServicePort port : service.getSpec().getPorts() == null ? List.<ServicePort>of() : service.getSpec().getPorts()) {
                if (port == null || port.getPort() == null) {
                    continue;
                }
                Optional<Integer> target = PortExceptionScope.targetPort(port, workload);
                if (target.isPresent() && healthPorts.stream().anyMatch(hp -> hp.port() == target.get())) {
                    numbers.add(port.getPort());
                }
            }
            if (!numbers.isEmpty()) {
                Map<String, Object> target = new LinkedHashMap<>();
                target.put("name", service.getMetadata().getName());
                target.put("ports", numbers.stream().map(n -> Map.<String, Object>of("number", n)).toList());
                targets.add(target);
            }
        }
        return targets;
    }

    // ------------------------------------------------------------------------------------------------------------
    // shared

    private static void reconcile(IstioKind kind, String namespace, String name,
                                  Optional<GenericKubernetesResource> existing,
                                  Optional<GenericKubernetesResource> desired, List<PolicyChange> changes) {
        if (desired.isPresent()) {
            if (existing.isEmpty() || !same(existing.get(), desired.get())) {
                changes.add(new PolicyChange.Apply(kind, desired.get()));
            }
        } else if (existing.isPresent()) {
            changes.add(new PolicyChange.Delete(kind, namespace, name));
        }
    }

    /** Same spec, our label and our owner: anything else is rewritten (someone edited it, or the workload changed). */
    private static boolean same(GenericKubernetesResource existing, GenericKubernetesResource desired) {
        JsonNode existingSpec = JSON.valueToTree(existing.getAdditionalProperties().get("spec"));
        JsonNode desiredSpec = JSON.valueToTree(desired.getAdditionalProperties().get("spec"));
        if (!existingSpec.equals(desiredSpec) || !managed(existing)) {
            return false;
        }
        List<OwnerReference> owners = existing.getMetadata().getOwnerReferences();
        OwnerReference wanted = desired.getMetadata().getOwnerReferences().get(0);
        return owners != null && owners.stream().anyMatch(o -> Objects.equals(o.getUid(), wanted.getUid())
                && Objects.equals(o.getKind(), wanted.getKind()) && Objects.equals(o.getName(), wanted.getName()));
    }

    private static GenericKubernetesResource resource(IstioKind kind, Workload workload, String name,
                                                      Map<String, Object> spec) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion(kind.apiVersion());
        resource.setKind(kind.kind());
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(workload.namespace());
        meta.setLabels(Map.of(MANAGED_BY_LABEL, MANAGED_BY));
        // Not a controller reference, and not blocking: the policy only goes away with the workload (garbage
        // collection), and deleting the workload never waits for it.
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion(workload.apiVersion())
                .withKind(workload.kind())
                .withName(workload.name())
                .withUid(workload.uid())
                .withBlockOwnerDeletion(false)
                .build()));
        resource.setMetadata(meta);
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }

    /**
     * {@code probe-rewriter-<kind>-<name>}: one policy per workload, and a Deployment and a StatefulSet of the same
     * name do not collide. Cut with a digest when the name would be too long.
     */
    static String policyName(Workload workload) {
        String name = "probe-rewriter-" + workload.kind().toLowerCase(Locale.ROOT) + "-" + workload.name();
        if (name.length() <= MAX_NAME) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            String suffix = "-" + HexFormat.of().formatHex(digest, 0, 5);
            String head = name.substring(0, MAX_NAME - suffix.length()).replaceAll("[.-]+$", "");
            return head + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    static boolean managed(GenericKubernetesResource resource) {
        return GeneratedPolicy.isGenerated(resource);
    }

    /** A workload-level policy whose every selector label is on the pods; selector-less ones are namespace-wide. */
    private static boolean selects(GenericKubernetesResource policy, Map<String, String> podLabels) {
        Map<?, ?> matchLabels = map(map(spec(policy).get("selector")).get("matchLabels"));
        if (matchLabels.isEmpty()) {
            return false;
        }
        for (Map.Entry<?, ?> e : matchLabels.entrySet()) {
            if (!(e.getKey() instanceof String key) || !Objects.equals(podLabels.get(key), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The mode the policy gives {@code port}: its portLevelMtls entry, else its own mode. */
    private static boolean letsPlaintextThrough(GenericKubernetesResource policy, int port) {
        Map<?, ?> spec = spec(policy);
        Map<?, ?> portLevel = map(spec.get("portLevelMtls"));
        Object portMode = map(portLevel.containsKey(Integer.toString(port)) ? portLevel.get(Integer.toString(port))
                : portLevel.get(port)).get("mode");
        Object mode = portMode != null && !"UNSET".equals(portMode) ? portMode : map(spec.get("mtls")).get("mode");
        return "PERMISSIVE".equals(mode) || "DISABLE".equals(mode);
    }

    private static Map<?, ?> spec(GenericKubernetesResource resource) {
        return map(resource.getAdditionalProperties().get("spec"));
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String namespaceOf(GenericKubernetesResource resource) {
        return resource.getMetadata() == null ? null : resource.getMetadata().getNamespace();
    }

    private static String display(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static String ports(SortedSet<HealthPort> healthPorts) {
        return String.join(", ", healthPorts.stream().map(hp -> Integer.toString(hp.port())).distinct().toList());
    }

    private String portLevelHint(SortedSet<HealthPort> healthPorts) {
        return String.join(", ", healthPorts.stream().map(HealthPort::port).distinct()
                .map(p -> p + ": {mode: " + mode.name() + "}").toList());
    }

    /** Istio's order among policies of one level: oldest creationTimestamp, then name; none counts as oldest. */
    private record Identity(String name, Instant created) {
        static final Comparator<Identity> OLDEST_FIRST = Comparator
                .comparing(Identity::created, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Identity::name, Comparator.nullsFirst(Comparator.naturalOrder()));

        static Identity of(GenericKubernetesResource resource) {
            String timestamp = resource.getMetadata().getCreationTimestamp();
            Instant created = null;
            if (timestamp != null) {
                try {
                    created = OffsetDateTime.parse(timestamp).toInstant();
                } catch (DateTimeParseException e) {
                    created = null;
                }
            }
            return new Identity(resource.getMetadata().getName(), created);
        }
    }
}
