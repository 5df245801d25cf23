package io.proberewriter.install;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.proberewriter.install.KubeYaml.Doc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one ServiceAccount may do according to a set of manifests, decided as the API server's RBAC authorizer
 * decides (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac): a request is allowed when any rule of any role bound
 * to the account matches it, and refused otherwise. There is no deny.
 *
 * <p>Where a rule applies: a ClusterRoleBinding grants its ClusterRole's rules in every namespace, to cluster-scoped
 * resources and to non-resource URLs; a RoleBinding grants its Role's, or a ClusterRole's, rules to requests in the
 * binding's own namespace only (so never to a cluster-scoped resource nor to a non-resource URL).
 *
 * <p>On top of the manifests, the account holds what a cluster gives every authenticated user and every
 * ServiceAccount by default ({@link #DEFAULTS}), so that a real client's discovery and self-review calls are not
 * refused here when the API server would allow them.
 *
 * <p>Not modelled: aggregated ClusterRoles (refused with an error), impersonation, and other authorizers (Node,
 * webhook) a cluster may run before or after RBAC.
 */
public final class RbacRules {

    private static final String RBAC_API_GROUP = "rbac.authorization.k8s.io";

    /**
     * What every authenticated account holds on a cluster with RBAC, from the bootstrap policy the API server
     * reconciles at start-up (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, as of
     * Kubernetes 1.28+; documented at
     * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings):
     * <ul>
     * <li>system:discovery, bound to group system:authenticated: GET of the discovery, OpenAPI, version and health
     * paths;</li>
     * <li>system:public-info-viewer, bound to system:authenticated and system:unauthenticated: GET of the version and
     * health paths;</li>
     * <li>system:basic-user, bound to system:authenticated: create SelfSubjectAccessReviews and
     * SelfSubjectRulesReviews (authorization.k8s.io) and SelfSubjectReviews (authentication.k8s.io, "kubectl auth
     * whoami");</li>
     * <li>system:service-account-issuer-discovery, bound to group system:serviceaccounts: GET of the service account
     * issuer's OIDC discovery document and keys.</li>
     * </ul>
     * Written as manifests and read by the same code as the project's own, under the names the cluster uses.
     */
    static final String DEFAULTS = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: system:discovery
            rules:
              - nonResourceURLs: ["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*",
                                  "/api", "/api/*", "/apis", "/apis/*"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: system:discovery
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: "system:discovery"
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: system:public-info-viewer
            rules:
              - nonResourceURLs: ["/livez", "/readyz", "/healthz", "/version", "/version/"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: system:public-info-viewer
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: "system:public-info-viewer"
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: system:basic-user
            rules:
              - apiGroups: ["authorization.k8s.io"]
                resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]
                verbs: ["create"]
              - apiGroups: ["authentication.k8s.io"]
                resources: ["selfsubjectreviews"]
                verbs: ["create"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: system:basic-user
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: "system:basic-user"
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: system:service-account-issuer-discovery
            rules:
              - nonResourceURLs: ["/.well-known/openid-configuration", "/.well-known/openid-configuration/",
                                  "/openid/v1/jwks", "/openid/v1/jwks/"]
                verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: system:service-account-issuer-discovery
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: "system:service-account-issuer-discovery"
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}
            """;

    private static final String DEFAULTS_SOURCE = "Kubernetes default RBAC (bootstrap policy)";

    private final String namespace;
    private final String name;
    private final List<Grant> grants;

    private RbacRules(String namespace, String name, List<Grant> grants) {
        this.namespace = namespace;
        this.name = name;
        this.grants = List.copyOf(grants);
    }

    /**
     * The rules of every Role and ClusterRole bound, among {@code docs}, to the ServiceAccount {@code namespace/name},
     * plus the cluster's defaults for any ServiceAccount. Documents of other kinds are ignored.
     *
     * @throws IllegalArgumentException when a binding that applies to the account is one the API server would
     *         reject (a RoleBinding without a namespace, a roleRef of the wrong kind or API group), refers to a
     *         role that is not among the docs, or a bound role holds a rule the API server would reject
     */
    public static RbacRules forServiceAccount(List<Doc> docs, String namespace, String name) {
        if (namespace == null || namespace.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a ServiceAccount needs a namespace and a name");
        }
        Account account = new Account(namespace, name);
        List<Grant> grants = new ArrayList<>(collect(docs, account));
        grants.addAll(collect(KubeYaml.parseAll(DEFAULTS, DEFAULTS_SOURCE), account));
        return new RbacRules(namespace, name, grants);
    }

    /**
     * The documents of a kustomization directory without running kustomize: the YAML files its
     * {@code kustomization.yaml} lists under {@code resources:}, then, for each directory under {@code components:},
     * that component's documents read the same way. Nothing else of the kustomization is applied (no namespace,
     * labels, patches or generators): for k8s/base and k8s/components/istio, whose files carry their namespaces
     * themselves.
     *
     * @throws IllegalArgumentException when the directory has no kustomization file, a resource is a directory (a
     *         base: render it with kustomize instead), a URL or a missing file, or a component is not a directory
     */
    public static List<Doc> fromKustomization(Path dir) {
        Path file = kustomizationFile(dir);
        JsonNode kustomization = KubeYaml.parseOne(read(file), file.toString());
        List<Doc> docs = new ArrayList<>();
        for (String entry : entries(kustomization, "resources", file)) {
            Path resource = dir.resolve(entry).normalize();
            if (entry.contains("://") || entry.startsWith("github.com/")) {
                throw new IllegalArgumentException(file + ": resource " + entry
                        + " is remote; fromKustomization reads local files only");
            }
            if (Files.isDirectory(resource)) {
                throw new IllegalArgumentException(file + ": resource " + entry + " is a directory (" + resource
                        + "); fromKustomization reads plain files only, render a kustomization of bases with "
                        + "kustomize");
            }
            if (!Files.isRegularFile(resource)) {
                throw new IllegalArgumentException(file + ": resource " + entry + " does not exist (" + resource + ")");
            }
            docs.addAll(KubeYaml.parseAll(read(resource), resource.toString()));
        }
        for (String entry : entries(kustomization, "components", file)) {
            Path component = dir.resolve(entry).normalize();
            if (!Files.isDirectory(component)) {
                throw new IllegalArgumentException(file + ": component " + entry + " is not a directory ("
                        + component + ")");
            }
            docs.addAll(fromKustomization(component));
        }
        return List.copyOf(docs);
    }

    /** Whether the account may make the request. */
    public boolean allows(ApiRequest request) {
        return refusal(request).isEmpty();
    }

    /**
     * Empty when the account may make the request; otherwise why not, worded as the API server's Forbidden error
     * ({@code secrets "x" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "secrets" in API
     * group "" in the namespace "ns"}), followed by the roles the account does hold.
     */
    public Optional<String> refusal(ApiRequest request) {
        for (Grant grant : grants) {
            if (grant.appliesTo(request) && grant.rule().allows(request)) {
                return Optional.empty();
            }
        }
        return Optional.of(forbiddenMessage(request) + "; it is bound to " + boundRoles());
    }

    /**
     * The body of the API server's 403 for {@code message} (a {@link #refusal}): a Status, which the client turns into
     * a KubernetesClientException carrying the code and the message, as a real refusal would be.
     */
    public static String forbiddenStatus(String message) {
        return Serialization.asJson(new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                .withMessage(message).build());
    }

    /** The account's user name as the API server authenticates it: system:serviceaccount:{namespace}:{name}. */
    public String userName() {
        return new Account(namespace, name).userName();
    }

    /** Every rule the account holds, one a line, with where it applies and where it comes from. */
    @Override
    public String toString() {
        return "RBAC of " + userName() + ":\n" + grants.stream().map(g -> "  " + g).collect(Collectors.joining("\n"));
    }

    // --- the decision ---

    private String forbiddenMessage(ApiRequest request) {
        String user = "User \"" + userName() + "\"";
        if (!request.resourceRequest()) {
            return "forbidden: " + user + " cannot " + request.verb() + " path \"" + request.path() + "\"";
        }
        String qualified = request.resource() + (request.apiGroup().isEmpty() ? "" : "." + request.apiGroup());
        String subject = request.name().isEmpty() ? qualified : qualified + " \"" + request.name() + "\"";
        String scope = request.namespace().isEmpty() ? "at the cluster scope"
                : "in the namespace \"" + request.namespace() + "\"";
        return subject + " is forbidden: " + user + " cannot " + request.verb() + " resource \""
                + request.resourceWithSubresource() + "\" in API group \"" + request.apiGroup() + "\" " + scope;
    }

    private String boundRoles() {
        List<String> roles = grants.stream()
                .filter(g -> !g.source().equals(DEFAULTS_SOURCE))
                .map(Grant::via)
                .distinct()
                .toList();
        return (roles.isEmpty() ? "nothing in the manifests" : String.join(", ", roles))
                + " (plus Kubernetes' defaults for authenticated users and ServiceAccounts)";
    }

    /** The ServiceAccount, and the user and groups the API server authenticates its tokens as. */
    private record Account(String namespace, String name) {

        String userName() {
            return "system:serviceaccount:" + namespace + ":" + name;
        }

        List<String> groups() {
            return List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
        }

        /**
         * Whether a binding's subject is this account: as a ServiceAccount (whose namespace defaults to a
         * RoleBinding's own), as its user name, or as one of its groups.
         */
        boolean is(JsonNode subject, String bindingNamespace) {
            String kind = subject.path("kind").asText("");
            String subjectName = subject.path("name").asText("");
            return switch (kind) {
                case "ServiceAccount" -> {
                    String subjectNamespace = subject.path("namespace").asText("");
                    String effective = subjectNamespace.isEmpty() ? bindingNamespace : subjectNamespace;
                    yield !effective.isEmpty() && effective.equals(namespace) && subjectName.equals(name);
                }
                case "User" -> subjectName.equals(userName());
                case "Group" -> groups().contains(subjectName);
                default -> false;
            };
        }
    }

    /**
     * One rule as granted by one binding.
     *
     * @param namespace where it applies: "" everywhere (ClusterRoleBinding), else that namespace only (RoleBinding)
     * @param via the role and binding, for messages
     * @param source the file it comes from
     */
    private record Grant(String namespace, Rule rule, String via, String source) {

        boolean appliesTo(ApiRequest request) {
            return namespace.isEmpty() || namespace.equals(request.namespace());
        }

        @Override
        public String toString() {
            return (namespace.isEmpty() ? "everywhere" : "in " + namespace) + ": " + rule + "  <- " + via + " ("
                    + source + ")";
        }
    }

    /** A PolicyRule. An empty list is an absent field. */
    private record Rule(List<String> apiGroups, List<String> resources, List<String> verbs,
            List<String> resourceNames, List<String> nonResourceURLs) {

        private static final String ALL = "*";

        boolean allows(ApiRequest request) {
            if (!matches(verbs, request.verb())) {
                return false;
            }
            if (!request.resourceRequest()) {
                return nonResourceUrlMatches(request.path());
            }
            return matches(apiGroups, request.apiGroup())
                    && resourceMatches(request)
                    // No names: every object. Names: only a request naming one of them (never a plain list or a
                    // create, whose name the API server does not know when it authorizes).
                    && (resourceNames.isEmpty() || resourceNames.contains(request.name()));
        }

        private static boolean matches(List<String> allowed, String requested) {
            return allowed.contains(ALL) || allowed.contains(requested);
        }

        /**
         * "*" is every resource and subresource; "pods" is the pods resource only, not its subresources;
         * "pods/status" is that subresource; "*&#47;status" is the status subresource of every resource.
         */
        private boolean resourceMatches(ApiRequest request) {
            String combined = request.resourceWithSubresource();
            for (String resource : resources) {
                if (resource.equals(ALL) || resource.equals(combined)) {
                    return true;
                }
                if (!request.subresource().isEmpty() && resource.equals("*/" + request.subresource())) {
                    return true;
                }
            }
            return false;
        }

        /** An exact path, or a prefix when the rule's URL ends with "*" ("/apis/*" covers "/apis/apps/v1"). */
        private boolean nonResourceUrlMatches(String path) {
            for (String url : nonResourceURLs) {
                if (url.equals(ALL) || url.equals(path)) {
                    return true;
                }
                if (url.endsWith(ALL) && path.startsWith(url.substring(0, url.length() - 1))) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            if (!nonResourceURLs.isEmpty()) {
                return verbs + " " + nonResourceURLs;
            }
            // Quoted, so that the core group "" shows.
            String groups = apiGroups.stream().map(g -> "\"" + g + "\"").collect(Collectors.joining(", ", "[", "]"));
            return verbs + " " + resources + " in groups " + groups
                    + (resourceNames.isEmpty() ? "" : " named " + resourceNames);
        }
    }

    // --- reading the manifests ---

    /** The grants of every binding among {@code docs} whose subjects include the account. */
    private static List<Grant> collect(List<Doc> docs, Account account) {
        Map<String, Doc> roles = new LinkedHashMap<>();
        Map<String, Doc> clusterRoles = new LinkedHashMap<>();
        for (Doc doc : docs) {
            if (isRbac(doc, "Role")) {
                requireNamespace(doc);
                putUnique(roles, doc.namespace() + "/" + doc.name(), doc);
            } else if (isRbac(doc, "ClusterRole")) {
                putUnique(clusterRoles, doc.name(), doc);
            }
        }
        List<Grant> grants = new ArrayList<>();
        for (Doc binding : docs) {
            boolean clusterWide = isRbac(binding, "ClusterRoleBinding");
            if (!clusterWide && !isRbac(binding, "RoleBinding")) {
                continue;
            }
            String bindingNamespace = clusterWide ? "" : requireNamespace(binding);
            boolean bound = false;
            for (JsonNode subject : binding.at("/subjects")) {
                bound |= account.is(subject, bindingNamespace);
            }
            if (!bound) {
                continue;
            }
            Doc role = roleOf(binding, clusterWide, roles, clusterRoles);
            if (role.node().has("aggregationRule")) {
                throw new IllegalArgumentException(binding + " binds aggregated " + role
                        + ", whose rules the cluster computes; not supported here");
            }
            String via = (role.kind().equals("Role") ? "Role " + role.namespace() + "/" : "ClusterRole ")
                    + role.name() + " by " + binding.kind() + " "
                    + (clusterWide ? "" : bindingNamespace + "/") + binding.name();
            for (Rule rule : rules(role)) {
                grants.add(new Grant(bindingNamespace, rule, via, binding.source()));
            }
        }
        return grants;
    }

    /** The role a binding refers to, which must be among the docs; the API server validates the roleRef alike. */
    private static Doc roleOf(Doc binding, boolean clusterWide, Map<String, Doc> roles, Map<String, Doc> clusterRoles) {
        String apiGroup = binding.at("/roleRef/apiGroup").asText("");
        String kind = binding.at("/roleRef/kind").asText("");
        String roleName = binding.at("/roleRef/name").asText("");
        if (!apiGroup.equals(RBAC_API_GROUP)) {
            throw new IllegalArgumentException(binding + ": roleRef.apiGroup must be " + RBAC_API_GROUP + ", is \""
                    + apiGroup + "\"");
        }
        if (roleName.isEmpty()) {
            throw new IllegalArgumentException(binding + ": roleRef has no name");
        }
        Doc role;
        if (kind.equals("ClusterRole")) {
            role = clusterRoles.get(roleName);
        } else if (kind.equals("Role") && !clusterWide) {
            role = roles.get(binding.namespace() + "/" + roleName);
        } else {
            throw new IllegalArgumentException(binding + ": roleRef.kind " + kind + " is not allowed (a "
                    + binding.kind() + " refers to " + (clusterWide ? "a ClusterRole" : "a Role or a ClusterRole")
                    + ")");
        }
        if (role == null) {
            throw new IllegalArgumentException(binding + " refers to " + kind + " "
                    + (kind.equals("Role") ? binding.namespace() + "/" : "") + roleName
                    + ", which is not among the manifests");
        }
        return role;
    }

    /** A role's rules, checked as the API server checks them when the role is created. */
    private static List<Rule> rules(Doc role) {
        boolean namespaced = role.kind().equals("Role");
        List<Rule> out = new ArrayList<>();
        JsonNode rules = role.at("/rules");
        if (!rules.isMissingNode() && !rules.isNull() && !rules.isArray()) {
            throw new IllegalArgumentException(role + ": rules is not a list");
        }
        int index = 0;
        for (JsonNode node : rules) {
            String where = role + " rules[" + index++ + "]";
            Rule rule = new Rule(strings(node, "apiGroups", where), strings(node, "resources", where),
                    strings(node, "verbs", where), strings(node, "resourceNames", where),
                    strings(node, "nonResourceURLs", where));
            if (rule.verbs().isEmpty()) {
                throw new IllegalArgumentException(where + ": verbs must contain at least one value");
            }
            if (!rule.nonResourceURLs().isEmpty()) {
                if (namespaced) {
                    throw new IllegalArgumentException(where + ": namespaced rules cannot apply to non-resource URLs");
                }
                if (!rule.apiGroups().isEmpty() || !rule.resources().isEmpty() || !rule.resourceNames().isEmpty()) {
                    throw new IllegalArgumentException(where
                            + ": rules cannot apply to both regular resources and non-resource URLs");
                }
            } else if (rule.apiGroups().isEmpty() || rule.resources().isEmpty()) {
                throw new IllegalArgumentException(where
                        + ": resource rules must supply at least one api group and one resource");
            }
            out.add(rule);
        }
        return out;
    }

    /** A list-of-strings field of a rule; absent is empty. */
    private static List<String> strings(JsonNode rule, String field, String where) {
        JsonNode array = rule.path(field);
        if (array.isMissingNode() || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException(where + ": " + field + " is not a list: " + array);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(where + ": " + field + " holds a non-string: " + item);
            }
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }

    private static boolean isRbac(Doc doc, String kind) {
        return doc.kind().equals(kind) && doc.node().path("apiVersion").asText("").startsWith(RBAC_API_GROUP + "/");
    }

    private static String requireNamespace(Doc doc) {
        if (doc.namespace().isEmpty()) {
            throw new IllegalArgumentException(doc + " has no metadata.namespace (kustomize's namespace setting is "
                    + "not applied here)");
        }
        return doc.namespace();
    }

    private static void putUnique(Map<String, Doc> byName, String key, Doc doc) {
        Doc previous = byName.putIfAbsent(key, doc);
        if (previous != null) {
            throw new IllegalArgumentException(doc + " has the name of " + previous);
        }
    }

    // --- files ---

    /** kustomize accepts any of these three names. */
    private static Path kustomizationFile(Path dir) {
        for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalArgumentException("no kustomization.yaml in " + dir.toAbsolutePath());
    }

    private static List<String> entries(JsonNode kustomization, String field, Path file) {
        JsonNode list = kustomization.path(field);
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(file + ": " + field + " is not a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(file + ": " + field + " holds a non-string: " + item);
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
