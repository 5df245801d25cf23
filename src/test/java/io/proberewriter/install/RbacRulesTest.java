package io.proberewriter.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.install.KubeYaml.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ApiRequest} resolves requests as the API server does, and {@link RbacRules} decides on them as RBAC does:
 * first on each shape of path and on small made-up manifests, then on the install's own RBAC in k8s/base.
 */
class RbacRulesTest {

    private static final String NS = KubeYaml.NAMESPACE;
    private static final String WEBHOOK = "probe-rewriter-webhook";
    private static final String OPERATOR = "probe-rewriter-operator";
    private static final String TLS_SECRET_WATCH = "/api/v1/namespaces/" + NS
            + "/secrets?fieldSelector=metadata.name%3Dprobe-rewriter-tls&watch=true";

    // ------------------------------------------------------------------------------------------------------------
    // Resolving requests
    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class Parsing {

        @Test
        void coreNamespacedItemAndCollection() {
            assertResource("GET", "/api/v1/namespaces/demo/secrets/db", "get", "", "v1", "demo", "secrets", "", "db");
            assertResource("GET", "/api/v1/namespaces/demo/secrets", "list", "", "v1", "demo", "secrets", "", "");
        }

        @Test
        void groupNamespacedItemAndCollection() {
            assertResource("GET", "/apis/apps/v1/namespaces/web/deployments/api", "get", "apps", "v1", "web",
                    "deployments", "", "api");
            assertResource("GET", "/apis/apps/v1/namespaces/web/deployments", "list", "apps", "v1", "web",
                    "deployments", "", "");
        }

        @Test
        void clusterScopedResourcesAndListsAcrossNamespaces() {
            assertResource("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/probe-rewriter",
                    "get", "admissionregistration.k8s.io", "v1", "", "mutatingwebhookconfigurations", "",
                    "probe-rewriter");
            assertResource("GET", "/api/v1/nodes/n1", "get", "", "v1", "", "nodes", "", "n1");
            // A namespaced resource listed across all namespaces has no namespace either.
            assertResource("GET", "/apis/security.istio.io/v1beta1/peerauthentications", "list", "security.istio.io",
                    "v1beta1", "", "peerauthentications", "", "");
            assertResource("GET", "/api/v1/services?watch=true", "watch", "", "v1", "", "services", "", "");
        }

        @Test
        void subresources() {
            assertResource("PUT", "/api/v1/namespaces/demo/pods/p/status", "update", "", "v1", "demo", "pods",
                    "status", "p");
            assertResource("POST", "/api/v1/namespaces/demo/pods/p/eviction", "create", "", "v1", "demo", "pods",
                    "eviction", "p");
            assertResource("PATCH", "/apis/apps/v1/namespaces/web/deployments/api/scale", "patch", "apps", "v1",
                    "web", "deployments", "scale", "api");
            // What follows the subresource is not interpreted.
            assertResource("GET", "/api/v1/namespaces/demo/pods/p/proxy/metrics/extra", "get", "", "v1", "demo",
                    "pods", "proxy", "p");
            assertEquals("pods/status",
                    parse("PUT", "/api/v1/namespaces/demo/pods/p/status").resourceWithSubresource());
        }

        @Test
        void verbsFromMethods() {
            String item = "/api/v1/namespaces/demo/configmaps/c";
            String collection = "/api/v1/namespaces/demo/configmaps";
            assertEquals("get", parse("GET", item).verb());
            assertEquals("get", parse("HEAD", item).verb());
            assertEquals("list", parse("GET", collection).verb());
            assertEquals("create", parse("POST", collection).verb());
            assertEquals("update", parse("PUT", item).verb());
            assertEquals("patch", parse("PATCH", item).verb());
            assertEquals("delete", parse("DELETE", item).verb());
            assertEquals("deletecollection", parse("DELETE", collection).verb());
            assertEquals("", parse("OPTIONS", item).verb(), "a method the resolver does not map has no verb");
            assertEquals("patch", parse("patch", item).verb(), "methods are case-insensitive here");
        }

        @Test
        void watchByQueryAsKubernetesConvertsABoolean() {
            String collection = "/api/v1/namespaces/demo/pods";
            for (String yes : List.of("true", "1", "TRUE", "yes", "")) {
                assertEquals("watch", parse("GET", collection + "?watch=" + yes).verb(), "watch=" + yes);
            }
            assertEquals("watch", parse("GET", collection + "?resourceVersion=0&watch").verb(), "a bare watch");
            for (String no : List.of("false", "False", "0")) {
                assertEquals("list", parse("GET", collection + "?watch=" + no).verb(), "watch=" + no);
            }
            // Only a collection GET is read for watch: a GET of one object stays a get.
            assertEquals("get", parse("GET", collection + "/p?watch=true").verb());
        }

        @Test
        void watchByTheLegacyPathPrefix() {
            assertResource("GET", "/api/v1/watch/namespaces/demo/secrets", "watch", "", "v1", "demo", "secrets", "",
                    "");
            assertResource("GET", "/api/v1/watch/namespaces/demo/secrets/db", "watch", "", "v1", "demo", "secrets",
                    "", "db");
            assertResource("GET", "/apis/apps/v1/watch/deployments", "watch", "apps", "v1", "", "deployments", "",
                    "");
            assertResource("GET", "/api/v1/watch/namespaces", "watch", "", "v1", "", "namespaces", "", "");
            // The verb is already watch, so the server never reads the field selector: no name.
            assertEquals("", parse("GET", "/api/v1/watch/namespaces/demo/secrets?fieldSelector=metadata.name%3Ddb")
                    .name());
            assertThrows(IllegalArgumentException.class, () -> parse("GET", "/api/v1/watch"));
        }

        @Test
        void proxyByPathPrefixTakesNoSubresource() {
            assertResource("GET", "/api/v1/proxy/namespaces/demo/services/web/healthz", "proxy", "", "v1", "demo",
                    "services", "", "web");
        }

        @Test
        void aFieldSelectorOnTheNameNamesTheObjectOfAListOrWatch() {
            ApiRequest watch = parse("GET", TLS_SECRET_WATCH);
            assertEquals(new ApiRequest("GET", "/api/v1/namespaces/" + NS + "/secrets", true, "watch", "", "v1", NS,
                    "secrets", "", "probe-rewriter-tls"), watch);

            String secrets = "/api/v1/namespaces/demo/secrets";
            assertEquals("db", parse("GET", secrets + "?fieldSelector=metadata.name%3Ddb").name());
            assertEquals("list", parse("GET", secrets + "?fieldSelector=metadata.name%3Ddb").verb());
            assertEquals("db", parse("GET", secrets + "?fieldSelector=metadata.name%3D%3Ddb").name(), "==");
            assertEquals("db", parse("GET", secrets + "?fieldSelector=metadata.name==db").name(), "unencoded ==");
            assertEquals("db", parse("GET", secrets + "?fieldSelector=type%3DOpaque%2Cmetadata.name%3Ddb").name(),
                    "one term among others");
            assertEquals("a,b", parse("GET", secrets + "?fieldSelector=metadata.name%3Da%5C%2Cb").name(),
                    "an escaped comma");
        }

        @Test
        void aFieldSelectorThatDoesNotPinTheNameNamesNothing() {
            String secrets = "/api/v1/namespaces/demo/secrets";
            assertEquals("", parse("GET", secrets + "?fieldSelector=metadata.name!%3Ddb").name(), "!=");
            assertEquals("", parse("GET", secrets + "?fieldSelector=type%3DOpaque").name(), "another field");
            assertEquals("", parse("GET", secrets + "?fieldSelector=metadata.namespace%3Ddemo").name());
            // A name that cannot be a path segment is not taken.
            assertEquals("", parse("GET", secrets + "?fieldSelector=metadata.name%3Da%2Fb").name(), "a slash");
            assertEquals("", parse("GET", secrets + "?fieldSelector=metadata.name%3D..").name(), "..");
            // Options that do not decode: a list without a name, but still a watch when asked.
            ApiRequest badEscape = parse("GET", secrets + "?fieldSelector=metadata.name%3Da%5Cxb&watch=true");
            assertEquals("", badEscape.name());
            assertEquals("watch", badEscape.verb());
            ApiRequest badLimit = parse("GET", secrets + "?fieldSelector=metadata.name%3Ddb&limit=many");
            assertEquals("", badLimit.name());
            assertEquals("list", badLimit.verb());
            // Only a list or watch reads it.
            assertEquals("", parse("POST", secrets + "?fieldSelector=metadata.name%3Ddb").name());
            assertEquals("deletecollection", parse("DELETE", secrets + "?fieldSelector=metadata.name%3Ddb").verb());
        }

        @Test
        void namespacesAreTheirOwnNamespace() {
            assertResource("GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", "");
            assertResource("GET", "/api/v1/namespaces?watch=1", "watch", "", "v1", "", "namespaces", "", "");
            assertResource("POST", "/api/v1/namespaces", "create", "", "v1", "", "namespaces", "", "");
            assertResource("GET", "/api/v1/namespaces/demo", "get", "", "v1", "demo", "namespaces", "", "demo");
            assertResource("DELETE", "/api/v1/namespaces/demo", "delete", "", "v1", "demo", "namespaces", "", "demo");
            assertResource("PUT", "/api/v1/namespaces/demo/status", "update", "", "v1", "demo", "namespaces",
                    "status", "demo");
            assertResource("PUT", "/api/v1/namespaces/demo/finalize", "update", "", "v1", "demo", "namespaces",
                    "finalize", "demo");
            // Anything else after the namespace's name is a resource in it.
            assertResource("GET", "/api/v1/namespaces/demo/events", "list", "", "v1", "demo", "events", "", "");
        }

        @Test
        void discoveryAndOtherPathsAreNonResourceRequests() {
            for (String path : List.of("/", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1",
                    "/apis/apps/v1/", "/apis/authorization.k8s.io/v1", "/version", "/version/", "/openapi/v2",
                    "/openapi/v3/apis/apps/v1", "/healthz", "/livez", "/readyz", "/metrics", "/logs/kube.log",
                    "/other/v1/things")) {
                ApiRequest request = parse("GET", path);
                assertFalse(request.resourceRequest(), path + " is not a resource request");
                assertEquals(new ApiRequest("GET", path, false, "get", "", "", "", "", "", ""), request, path);
            }
            // The verb of a non-resource request is the method, lower-cased: HEAD is not get.
            assertEquals("head", parse("HEAD", "/version").verb());
            assertEquals("post", parse("POST", "/apis").verb());
            // The query is not part of the path.
            assertEquals("/openapi/v2", parse("GET", "/openapi/v2?timeout=32s").path());
        }

        @Test
        void malformedInput() {
            assertThrows(IllegalArgumentException.class, () -> parse("GET", "api/v1/pods"));
            assertThrows(IllegalArgumentException.class, () -> parse("GET", "/api/v1/pods?x=%zz"));
            assertThrows(IllegalArgumentException.class, () -> parse("", "/api/v1/pods"));
        }

        @Test
        void readableToString() {
            assertEquals("watch secrets probe-rewriter-system/probe-rewriter-tls", parse("GET", TLS_SECRET_WATCH)
                    .toString());
            assertEquals("list secrets in demo", parse("GET", "/api/v1/namespaces/demo/secrets").toString());
            assertEquals("patch deployments.apps web/api",
                    parse("PATCH", "/apis/apps/v1/namespaces/web/deployments/api").toString());
            assertEquals("create selfsubjectrulesreviews.authorization.k8s.io",
                    parse("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").toString());
            assertEquals("update namespaces/status demo", parse("PUT", "/api/v1/namespaces/demo/status").toString());
            assertEquals("list namespaces", parse("GET", "/api/v1/namespaces").toString());
            assertEquals("get /version", parse("GET", "/version").toString());
        }

        private static void assertResource(String method, String pathAndQuery, String verb, String group,
                String version, String namespace, String resource, String subresource, String name) {
            int query = pathAndQuery.indexOf('?');
            String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
            assertEquals(new ApiRequest(method, path, true, verb, group, version, namespace, resource, subresource,
                    name), parse(method, pathAndQuery), method + " " + pathAndQuery);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // RBAC on made-up manifests
    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class Matching {

        private static final String TEAM = "team";
        private static final String ROBOT = "robot";

        private RbacRules robot(String yaml) {
            return RbacRules.forServiceAccount(KubeYaml.parseAll(yaml, "test manifests"), TEAM, ROBOT);
        }

        /** A ClusterRole with the given rules, bound everywhere to team/robot. */
        private String clusterWide(String rules) {
            return """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata:
                      name: robot
                    rules:
                    %s
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata:
                      name: robot
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: robot}
                    subjects:
                      - {kind: ServiceAccount, name: robot, namespace: team}
                    """.formatted(rules.indent(2));
        }

        @Test
        void wildcardsCoverEveryGroupResourceSubresourceAndVerbButNoPath() {
            RbacRules rules = robot(clusterWide("""
                    - apiGroups: ["*"]
                      resources: ["*"]
                      verbs: ["*"]
                    """));
            assertAllowed(rules, "DELETE", "/api/v1/namespaces/any/secrets");
            assertAllowed(rules, "PUT", "/apis/apps/v1/namespaces/any/deployments/d/scale");
            assertAllowed(rules, "GET", "/apis/example.com/v1alpha1/widgets");
            assertAllowed(rules, "PATCH", "/api/v1/nodes/n1/status");
            assertRefused(rules, "GET", "/metrics");
        }

        @Test
        void groupsResourcesAndVerbsMustEachMatch() {
            RbacRules rules = robot(clusterWide("""
                    - apiGroups: ["apps"]
                      resources: ["deployments"]
                      verbs: ["get", "list"]
                    """));
            assertAllowed(rules, "GET", "/apis/apps/v1/namespaces/a/deployments/d");
            assertAllowed(rules, "GET", "/apis/apps/v1/deployments");
            assertRefused(rules, "GET", "/apis/apps/v1/deployments?watch=true");
            assertRefused(rules, "GET", "/apis/apps/v1/namespaces/a/statefulsets/s");
            assertRefused(rules, "GET", "/apis/extensions/v1beta1/namespaces/a/deployments/d");
            assertRefused(rules, "GET", "/api/v1/namespaces/a/pods/p");
        }

        @Test
        void aResourceIsNotItsSubresources() {
            RbacRules rules = robot(clusterWide("""
                    - apiGroups: ["apps"]
                      resources: ["deployments", "statefulsets/scale"]
                      verbs: ["get", "update"]
                    - apiGroups: ["", "apps"]
                      resources: ["*/status"]
                      verbs: ["update"]
                    """));
            assertAllowed(rules, "PUT", "/apis/apps/v1/namespaces/a/deployments/d");
            assertRefused(rules, "PUT", "/apis/apps/v1/namespaces/a/deployments/d/scale");
            assertAllowed(rules, "PUT", "/apis/apps/v1/namespaces/a/statefulsets/s/scale");
            assertRefused(rules, "PUT", "/apis/apps/v1/namespaces/a/statefulsets/s");
            // */status: the status subresource of anything in the rule's groups, and nothing else.
            assertAllowed(rules, "PUT", "/apis/apps/v1/namespaces/a/statefulsets/s/status");
            assertAllowed(rules, "PUT", "/api/v1/namespaces/a/pods/p/status");
            assertAllowed(rules, "PUT", "/api/v1/namespaces/a/status");
            assertRefused(rules, "PUT", "/api/v1/namespaces/a/pods/p");
            assertRefused(rules, "PUT", "/api/v1/namespaces/a/pods/p/ephemeralcontainers");
            assertRefused(rules, "PUT", "/apis/batch/v1/namespaces/a/jobs/j/status");
        }

        @Test
        void resourceNamesOnlyMatchRequestsThatNameTheObject() {
            RbacRules rules = robot(clusterWide("""
                    - apiGroups: [""]
                      resources: ["configmaps"]
                      resourceNames: ["settings"]
                      verbs: ["get", "list", "watch", "create", "delete", "deletecollection"]
                    """));
            String configmaps = "/api/v1/namespaces/a/configmaps";
            assertAllowed(rules, "GET", configmaps + "/settings");
            assertAllowed(rules, "DELETE", configmaps + "/settings");
            assertAllowed(rules, "GET", configmaps + "?fieldSelector=metadata.name%3Dsettings");
            assertAllowed(rules, "GET", configmaps + "?fieldSelector=metadata.name%3Dsettings&watch=true");
            assertRefused(rules, "GET", configmaps + "/other");
            assertRefused(rules, "GET", configmaps);
            assertRefused(rules, "GET", configmaps + "?watch=true");
            assertRefused(rules, "GET", configmaps + "?fieldSelector=metadata.name%3Dother&watch=true");
            assertRefused(rules, "POST", configmaps);
            assertRefused(rules, "DELETE", configmaps);
            assertRefused(rules, "GET", "/api/v1/watch/namespaces/a/configmaps?fieldSelector=metadata.name%3Dsettings");
        }

        @Test
        void nonResourceUrlsExactlyOrByTrailingStar() {
            RbacRules rules = robot(clusterWide("""
                    - nonResourceURLs: ["/metrics", "/logs/*"]
                      verbs: ["get"]
                    """));
            assertAllowed(rules, "GET", "/metrics");
            assertRefused(rules, "GET", "/metrics/cadvisor");
            assertRefused(rules, "POST", "/metrics");
            assertAllowed(rules, "GET", "/logs/");
            assertAllowed(rules, "GET", "/logs/kube-apiserver.log");
            assertRefused(rules, "GET", "/logs");
            // A non-resource rule grants no resource.
            assertRefused(rules, "GET", "/api/v1/namespaces/a/pods");
        }

        @Test
        void aRoleBindingGrantsItsClusterRoleInItsOwnNamespaceOnly() {
            RbacRules rules = robot("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata:
                      name: reader
                    rules:
                      - apiGroups: [""]
                        resources: ["pods", "namespaces", "nodes"]
                        verbs: ["get", "list"]
                      - nonResourceURLs: ["/metrics"]
                        verbs: ["get"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata:
                      name: reader
                      namespace: apps
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                    subjects:
                      - {kind: ServiceAccount, name: robot, namespace: team}
                    """);
            assertAllowed(rules, "GET", "/api/v1/namespaces/apps/pods");
            assertAllowed(rules, "GET", "/api/v1/namespaces/apps/pods/p");
            assertRefused(rules, "GET", "/api/v1/namespaces/other/pods/p");
            assertRefused(rules, "GET", "/api/v1/namespaces/team/pods/p");
            // Not across namespaces, not cluster-scoped resources, not paths...
            assertRefused(rules, "GET", "/api/v1/pods");
            assertRefused(rules, "GET", "/api/v1/nodes/n1");
            assertRefused(rules, "GET", "/api/v1/namespaces");
            assertRefused(rules, "GET", "/metrics");
            // ...but the Namespace object itself is in its own namespace.
            assertAllowed(rules, "GET", "/api/v1/namespaces/apps");
            assertRefused(rules, "GET", "/api/v1/namespaces/other");
        }

        @Test
        void aClusterRoleBindingGrantsEverywhere() {
            RbacRules rules = robot(clusterWide("""
                    - apiGroups: [""]
                      resources: ["pods", "nodes"]
                      verbs: ["list"]
                    """));
            assertAllowed(rules, "GET", "/api/v1/namespaces/apps/pods");
            assertAllowed(rules, "GET", "/api/v1/namespaces/other/pods");
            assertAllowed(rules, "GET", "/api/v1/pods");
            assertAllowed(rules, "GET", "/api/v1/nodes");
        }

        @Test
        void aRoleBindingGrantsARoleOfItsNamespace() {
            RbacRules rules = robot("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: leases, namespace: team}
                    rules:
                      - apiGroups: ["coordination.k8s.io"]
                        resources: ["leases"]
                        verbs: ["update"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: leases, namespace: elsewhere}
                    rules:
                      - apiGroups: ["*"]
                        resources: ["*"]
                        verbs: ["*"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: leases, namespace: team}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leases}
                    subjects:
                      - {kind: ServiceAccount, name: robot}
                    """);
            // The subject's namespace defaults to the binding's; the Role is the one in the binding's namespace.
            assertAllowed(rules, "PUT", "/apis/coordination.k8s.io/v1/namespaces/team/leases/l");
            assertRefused(rules, "PATCH", "/apis/coordination.k8s.io/v1/namespaces/team/leases/l");
            assertRefused(rules, "PUT", "/apis/coordination.k8s.io/v1/namespaces/elsewhere/leases/l");
        }

        @Test
        void subjectsMatchTheAccountByServiceAccountUserOrGroup() {
            String binding = """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: events}
                    rules:
                      - apiGroups: [""]
                        resources: ["events"]
                        verbs: ["create"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: events}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: events}
                    subjects:
                      - %s
                    """;
            String create = "/api/v1/namespaces/a/events";
            for (String subject : List.of(
                    "{kind: User, name: \"system:serviceaccount:team:robot\"}",
                    "{kind: Group, name: \"system:serviceaccounts\"}",
                    "{kind: Group, name: \"system:serviceaccounts:team\"}",
                    "{kind: Group, name: \"system:authenticated\"}")) {
                assertAllowed(robot(binding.formatted(subject)), "POST", create);
            }
            for (String subject : List.of(
                    "{kind: ServiceAccount, name: robot, namespace: other}",
                    "{kind: ServiceAccount, name: other, namespace: team}",
                    "{kind: ServiceAccount, name: robot}",
                    "{kind: User, name: robot}",
                    "{kind: Group, name: \"system:serviceaccounts:other\"}")) {
                assertRefused(robot(binding.formatted(subject)), "POST", create);
            }
        }

        @Test
        void everyAccountHoldsTheClustersDefaults() {
            RbacRules rules = robot("");
            for (String path : List.of("/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/version/",
                    "/openapi/v2", "/openapi/v3/apis/apps/v1", "/healthz", "/livez", "/readyz",
                    "/.well-known/openid-configuration", "/openid/v1/jwks")) {
                assertAllowed(rules, "GET", path);
            }
            assertAllowed(rules, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
            assertAllowed(rules, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
            assertAllowed(rules, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews");
            // And nothing more.
            assertRefused(rules, "HEAD", "/version");
            assertRefused(rules, "GET", "/metrics");
            assertRefused(rules, "GET", "/healthz/etcd");
            assertRefused(rules, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews");
            assertRefused(rules, "POST", "/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews");
            assertRefused(rules, "GET", "/api/v1/namespaces/team/pods");
        }

        @Test
        void refusalsReadLikeTheApiServers() {
            RbacRules rules = robot("");
            String user = "User \"system:serviceaccount:team:robot\"";
            assertEquals("secrets \"db\" is forbidden: " + user + " cannot get resource \"secrets\" in API group \"\" "
                    + "in the namespace \"team\"", refusalHead(rules, "GET", "/api/v1/namespaces/team/secrets/db"));
            assertEquals("deployments.apps \"d\" is forbidden: " + user + " cannot update resource "
                    + "\"deployments/scale\" in API group \"apps\" in the namespace \"a\"",
                    refusalHead(rules, "PUT", "/apis/apps/v1/namespaces/a/deployments/d/scale"));
            assertEquals("events is forbidden: " + user + " cannot create resource \"events\" in API group \"\" in "
                    + "the namespace \"a\"", refusalHead(rules, "POST", "/api/v1/namespaces/a/events"));
            assertEquals("nodes is forbidden: " + user + " cannot list resource \"nodes\" in API group \"\" at the "
                    + "cluster scope", refusalHead(rules, "GET", "/api/v1/nodes"));
            assertEquals("forbidden: " + user + " cannot get path \"/metrics\"", refusalHead(rules, "GET", "/metrics"));
            String full = rules.refusal(parse("GET", "/metrics")).orElseThrow();
            assertTrue(full.contains("nothing in the manifests"), full);
        }

        @Test
        void manifestsTheApiServerWouldRejectFailLoudly() {
            String role = """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: %s
                    metadata: {name: r, namespace: team}
                    rules:
                    %s
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: r, namespace: team}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: %s, name: r}
                    subjects:
                      - {kind: ServiceAccount, name: robot, namespace: team}
                    """;
            String ok = "  - {apiGroups: [\"\"], resources: [pods], verbs: [get]}";
            robot(role.formatted("Role", ok, "Role"));
            assertRejected(role.formatted("Role", ok, "Secret"), "roleRef.kind");
            assertRejected(role.formatted("Role", ok, "ClusterRole"), "not among the manifests");
            assertRejected(role.formatted("Role", "  - {apiGroups: [\"\"], resources: [pods]}", "Role"), "verbs");
            assertRejected(role.formatted("Role", "  - {resources: [pods], verbs: [get]}", "Role"), "api group");
            assertRejected(role.formatted("Role", "  - {nonResourceURLs: [/metrics], verbs: [get]}", "Role"),
                    "non-resource URLs");
            assertRejected(role.formatted("ClusterRole",
                    "  - {nonResourceURLs: [/metrics], resources: [pods], verbs: [get]}", "ClusterRole"),
                    "both regular resources and non-resource URLs");
            assertRejected(role.formatted("Role", "  - {apiGroups: [\"\"], resources: pods, verbs: [get]}", "Role"),
                    "not a list");
            assertRejected(clusterWide(ok).replace("kind: ClusterRole,", "kind: Role,"), "roleRef.kind");
            assertRejected(clusterWide(ok).replace("apiGroup: rbac.authorization.k8s.io,", "apiGroup: rbac,"),
                    "roleRef.apiGroup");
            assertRejected(clusterWide(ok) + "---\n" + clusterWide(ok).split("---")[0], "has the name of");
            assertRejected(clusterWide(ok).replace("rules:", "aggregationRule: {clusterRoleSelectors: []}\nrules:"),
                    "aggregated");
            assertRejected("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: r}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                    subjects:
                      - {kind: ServiceAccount, name: robot, namespace: team}
                    """, "no metadata.namespace");
            // A dangling binding for another account is not this account's concern.
            RbacRules unaffected = robot(role.formatted("Role", ok, "ClusterRole")
                    .replace("name: robot", "name: other"));
            assertRefused(unaffected, "GET", "/api/v1/namespaces/team/pods/p");
            assertThrows(IllegalArgumentException.class, () -> RbacRules.forServiceAccount(List.of(), "", ROBOT));
        }

        @Test
        void otherApiGroupsKindsNamedRoleAreIgnored() {
            RbacRules rules = robot("""
                    apiVersion: iam.example.com/v1
                    kind: ClusterRoleBinding
                    metadata: {name: x}
                    roleRef: {kind: ClusterRole, name: cluster-admin}
                    subjects:
                      - {kind: ServiceAccount, name: robot, namespace: team}
                    """);
            assertRefused(rules, "GET", "/api/v1/pods");
        }

        private void assertRejected(String yaml, String expected) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> robot(yaml), yaml);
            assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        }

        private static String refusalHead(RbacRules rules, String method, String path) {
            String message = rules.refusal(parse(method, path)).orElseThrow(
                    () -> new AssertionError(method + " " + path + " should be refused"));
            return message.substring(0, message.indexOf("; it is bound to"));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading kustomizations
    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class Kustomizations {

        @TempDir
        Path dir;

        @Test
        void readsTheListedFilesAndComponents() throws IOException {
            write("kustomization.yaml", "resources: [a.yaml, sub/b.yaml]\ncomponents: [comp]\n");
            write("a.yaml", "kind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: a2}\n");
            write("sub/b.yaml", "kind: ConfigMap\nmetadata: {name: b}\n");
            write("unlisted.yaml", "kind: ConfigMap\nmetadata: {name: unlisted}\n");
            write("comp/kustomization.yaml", "kind: Component\nresources: [c.yaml]\n");
            write("comp/c.yaml", "kind: ConfigMap\nmetadata: {name: c}\n");
            assertEquals(List.of("a", "a2", "b", "c"),
                    RbacRules.fromKustomization(dir).stream().map(Doc::name).toList());
        }

        @Test
        void failsOnWhatItDoesNotRead() throws IOException {
            assertFails("no kustomization.yaml");
            write("kustomization.yaml", "resources: [base]\n");
            Files.createDirectories(dir.resolve("base"));
            assertFails("is a directory");
            write("kustomization.yaml", "resources: [missing.yaml]\n");
            assertFails("does not exist");
            write("kustomization.yaml", "resources: [\"https://example.com/x.yaml\"]\n");
            assertFails("remote");
            write("kustomization.yaml", "components: [c.yaml]\n");
            write("c.yaml", "kind: ConfigMap\n");
            assertFails("is not a directory");
        }

        private void assertFails(String expected) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RbacRules.fromKustomization(dir));
            assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        }

        private void write(String name, String text) throws IOException {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The install's own RBAC
    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class Install {

        private final List<Doc> base = RbacRules.fromKustomization(Path.of("k8s/base"));
        private final RbacRules webhook = RbacRules.forServiceAccount(base, NS, WEBHOOK);
        private final RbacRules operator = RbacRules.forServiceAccount(base, NS, OPERATOR);

        @Test
        void theBaseDeclaresBothAccounts() {
            KubeYaml.one(base, "ServiceAccount", WEBHOOK);
            KubeYaml.one(base, "ServiceAccount", OPERATOR);
        }

        @Test
        void theWebhookReadsItsServingCertificateByNameOnly() {
            String secrets = "/api/v1/namespaces/" + NS + "/secrets";
            assertAllowed(webhook, "GET", TLS_SECRET_WATCH);
            assertAllowed(webhook, "GET", secrets + "?fieldSelector=metadata.name%3Dprobe-rewriter-tls");
            assertAllowed(webhook, "GET", secrets + "?fieldSelector=metadata.name%3Dprobe-rewriter-tls"
                    + "&resourceVersion=0&allowWatchBookmarks=true&watch=true");

            String listAll = assertRefused(webhook, "GET", secrets);
            assertTrue(listAll.contains("User \"system:serviceaccount:" + NS + ":" + WEBHOOK + "\" cannot list "
                    + "resource \"secrets\" in API group \"\" in the namespace \"" + NS + "\""), listAll);
            assertRefused(webhook, "GET", secrets + "?watch=true");
            assertRefused(webhook, "GET", "/api/v1/secrets?fieldSelector=metadata.name%3Dprobe-rewriter-tls");
            assertRefused(webhook, "GET", "/api/v1/namespaces/demo/secrets/probe-rewriter-tls");
            String ca = assertRefused(webhook, "GET", secrets + "/probe-rewriter-ca");
            assertTrue(ca.startsWith("secrets \"probe-rewriter-ca\" is forbidden"), ca);
            assertRefused(webhook, "GET", secrets + "?fieldSelector=metadata.name%3Dprobe-rewriter-ca&watch=true");
            assertRefused(webhook, "POST", secrets);
            assertRefused(webhook, "PUT", secrets + "/probe-rewriter-tls");
            assertRefused(webhook, "PATCH", secrets + "/probe-rewriter-tls");
            assertRefused(webhook, "DELETE", secrets + "/probe-rewriter-tls");
        }

        @Test
        void theWebhookListsAndWatchesWhatItDecidesOn() {
            for (String collection : List.of("/api/v1/namespaces", "/api/v1/services",
                    "/apis/security.istio.io/v1beta1/peerauthentications",
                    "/apis/security.istio.io/v1/peerauthentications")) {
                assertAllowed(webhook, "GET", collection);
                assertAllowed(webhook, "GET", collection + "?watch=true");
            }
        }

        @Test
        void theWebhookWritesNothing() {
            assertRefused(webhook, "PATCH", "/apis/apps/v1/namespaces/demo/deployments/web");
            assertRefused(webhook, "POST", "/api/v1/namespaces/demo/events");
            assertRefused(webhook, "PUT", "/apis/coordination.k8s.io/v1/namespaces/" + NS
                    + "/leases/probe-rewriter-operator");
            assertRefused(webhook, "POST", "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases");
            assertRefused(webhook, "PATCH",
                    "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/probe-rewriter");
            assertRefused(webhook, "POST", "/apis/security.istio.io/v1beta1/namespaces/demo/peerauthentications");
            assertRefused(webhook, "PUT", "/api/v1/namespaces/demo");
        }

        @Test
        void theOperatorCreatesEventsAnywhere() {
            assertAllowed(operator, "POST", "/api/v1/namespaces/demo/events");
            assertAllowed(operator, "POST", "/api/v1/namespaces/" + NS + "/events");
            // A repeated warning: read and updated the first time, patched once its count is known (WarningEvents).
            for (String method : List.of("GET", "PUT", "PATCH")) {
                assertAllowed(operator, method, "/api/v1/namespaces/demo/events/web.2621ede0fa89d9e8");
            }
        }

        @Test
        void theOperatorHoldsItsLeaseInItsOwnNamespaceOnly() {
            String leases = "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases";
            assertAllowed(operator, "GET", leases + "/probe-rewriter-operator");
            assertAllowed(operator, "POST", leases);
            assertAllowed(operator, "PUT", leases + "/probe-rewriter-operator");
            String elsewhere = assertRefused(operator, "PUT",
                    "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/probe-rewriter-operator");
            assertTrue(elsewhere.contains("in the namespace \"kube-system\""), elsewhere);
            assertRefused(operator, "GET", "/apis/coordination.k8s.io/v1/leases");
        }

        @Test
        void theOperatorPatchesItsOwnWebhookConfigurationOnly() {
            String configurations = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
            assertAllowed(operator, "PATCH", configurations + "/probe-rewriter");
            assertAllowed(operator, "GET", configurations + "/probe-rewriter");
            assertAllowed(operator, "GET", configurations + "?watch=true");
            String other = assertRefused(operator, "PATCH", configurations + "/istio-sidecar-injector");
            assertTrue(other.contains("at the cluster scope"), other);
            assertRefused(operator, "DELETE", configurations + "/probe-rewriter");
            assertRefused(operator, "POST", configurations);
            assertRefused(operator, "PATCH",
                    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/probe-rewriter");
        }

        /**
         * The audit and the port exceptions read the webhook's scope from its configuration, with cert-manager too,
         * where the certificates roles are deleted: one object, listed and watched by name.
         */
        @Test
        void theOperatorWatchesItsOwnWebhookConfigurationByNameWithoutTheCertificatesRoles() {
            List<Doc> withoutCertificates = base.stream()
                    .filter(doc -> !doc.name().equals("probe-rewriter-certificates")).toList();
            RbacRules certManaged = RbacRules.forServiceAccount(withoutCertificates, NS, OPERATOR);
            String configurations = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
            String byName = configurations + "?fieldSelector=metadata.name%3Dprobe-rewriter";
            assertAllowed(certManaged, "GET", byName);
            assertAllowed(certManaged, "GET", byName + "&resourceVersion=0&allowWatchBookmarks=true&watch=true");
            assertRefused(certManaged, "GET", configurations);
            assertRefused(certManaged, "GET", configurations + "?fieldSelector=metadata.name%3Distio-sidecar-injector");
            assertRefused(certManaged, "PATCH", configurations + "/probe-rewriter");
        }

        @Test
        void theOperatorWritesSecretsInItsOwnNamespaceOnly() {
            assertAllowed(operator, "POST", "/api/v1/namespaces/" + NS + "/secrets");
            assertAllowed(operator, "PUT", "/api/v1/namespaces/" + NS + "/secrets/probe-rewriter-tls");
            assertRefused(operator, "POST", "/api/v1/namespaces/demo/secrets");
            assertRefused(operator, "GET", "/api/v1/secrets");
        }

        /**
         * The operator's namespace may be shared: Helm keeps its release Secrets there. The operator reads, watches
         * and writes its two Secrets by name only (a watch per name, with a metadata.name field selector); create,
         * which RBAC cannot limit by name, is the one exception.
         */
        @Test
        void theOperatorReadsNoSecretButItsTwo() {
            String secrets = "/api/v1/namespaces/" + NS + "/secrets";
            for (String ours : List.of("probe-rewriter-ca", "probe-rewriter-tls")) {
                assertAllowed(operator, "GET", secrets + "?fieldSelector=metadata.name%3D" + ours);
                assertAllowed(operator, "GET", secrets + "?fieldSelector=metadata.name%3D" + ours
                        + "&resourceVersion=0&allowWatchBookmarks=true&watch=true");
                assertAllowed(operator, "GET", secrets + "/" + ours);
                assertAllowed(operator, "DELETE", secrets + "/" + ours);
            }
            String helmRelease = "sh.helm.release.v1.probe-rewriter.v1";
            String listAll = assertRefused(operator, "GET", secrets);
            assertTrue(listAll.contains("cannot list resource \"secrets\""), listAll);
            assertRefused(operator, "GET", secrets + "?watch=true");
            assertRefused(operator, "GET", secrets + "/" + helmRelease);
            assertRefused(operator, "GET", secrets + "?fieldSelector=metadata.name%3D" + helmRelease);
            assertRefused(operator, "PUT", secrets + "/" + helmRelease);
            assertRefused(operator, "DELETE", secrets + "/" + helmRelease);
        }

        @Test
        void theOperatorRenewsItsOwnLeaseOnly() {
            String leases = "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases";
            assertAllowed(operator, "PATCH", leases + "/probe-rewriter-operator");
            assertRefused(operator, "GET", leases + "/another-controller");
            assertRefused(operator, "PUT", leases + "/another-controller");
            assertRefused(operator, "PATCH", leases + "/another-controller");
        }

        /**
         * patch on workloads is the audit's restart, granted only with k8s/components/remediation: the base reads
         * workloads and writes none of them.
         */
        @Test
        void theOperatorPatchesWorkloadsOnlyWithTheRemediationComponent() {
            List<String> workloads = List.of("/apis/apps/v1/namespaces/demo/deployments/web",
                    "/apis/apps/v1/namespaces/demo/statefulsets/db", "/apis/apps/v1/namespaces/kube-system/daemonsets/x");
            for (String workload : workloads) {
                assertAllowed(operator, "GET", workload);
                String refused = assertRefused(operator, "PATCH", workload);
                assertTrue(refused.contains("cannot patch resource"), refused);
            }
            assertAllowed(operator, "GET", "/apis/apps/v1/deployments?watch=true");

            List<Doc> withRemediation = new ArrayList<>(base);
            withRemediation.addAll(RbacRules.fromKustomization(Path.of("k8s/components/remediation")));
            RbacRules remediating = RbacRules.forServiceAccount(withRemediation, NS, OPERATOR);
            for (String workload : workloads) {
                assertAllowed(remediating, "PATCH", workload);
                assertRefused(remediating, "PUT", workload);
                assertRefused(remediating, "DELETE", workload);
            }
            assertRefused(remediating, "PATCH", "/api/v1/namespaces/demo/pods/web-1");
            assertRefused(RbacRules.forServiceAccount(withRemediation, NS, WEBHOOK), "PATCH", workloads.get(0));
        }

        @Test
        void bothAccountsDiscoverTheApiAndReviewThemselves() {
            for (RbacRules account : List.of(webhook, operator)) {
                assertAllowed(account, "GET", "/version");
                assertAllowed(account, "GET", "/apis");
                assertAllowed(account, "GET", "/api/v1");
                assertAllowed(account, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
                assertAllowed(account, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
            }
        }

        @Test
        void anotherAccountOfTheNamespaceHoldsOnlyTheDefaults() {
            RbacRules other = RbacRules.forServiceAccount(base, NS, "default");
            assertRefused(other, "GET", "/api/v1/namespaces");
            assertRefused(other, "GET", TLS_SECRET_WATCH);
            assertAllowed(other, "GET", "/version");
        }

        @Test
        void theIstioComponentReadsIstiosConfigMapsInIstioSystemOnly() {
            List<Doc> docs = new ArrayList<>(base);
            docs.addAll(RbacRules.fromKustomization(Path.of("k8s/components/istio")));
            for (String account : List.of(WEBHOOK, OPERATOR)) {
                RbacRules rules = RbacRules.forServiceAccount(docs, NS, account);
                assertAllowed(rules, "GET", "/api/v1/namespaces/istio-system/configmaps?watch=true");
                assertAllowed(rules, "GET", "/api/v1/namespaces/istio-system/configmaps");
                assertRefused(rules, "GET", "/api/v1/namespaces/demo/configmaps");
                assertRefused(rules, "GET", "/api/v1/configmaps");
                assertRefused(rules, "PUT", "/api/v1/namespaces/istio-system/configmaps/istio");
                // Without the component, not even there.
                assertRefused(RbacRules.forServiceAccount(base, NS, account), "GET",
                        "/api/v1/namespaces/istio-system/configmaps");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static ApiRequest parse(String method, String pathAndQuery) {
        return ApiRequest.parse(method, pathAndQuery);
    }

    private static void assertAllowed(RbacRules rules, String method, String pathAndQuery) {
        ApiRequest request = parse(method, pathAndQuery);
        Optional<String> refusal = rules.refusal(request);
        assertTrue(refusal.isEmpty(), () -> request + " (" + method + " " + pathAndQuery + ") should be allowed: "
                + refusal.orElse("") + "\n" + rules);
        assertTrue(rules.allows(request));
    }

    /** The refusal message, for tests that look into it. */
    private static String assertRefused(RbacRules rules, String method, String pathAndQuery) {
        ApiRequest request = parse(method, pathAndQuery);
        Optional<String> refusal = rules.refusal(request);
        assertTrue(refusal.isPresent(), () -> request + " (" + method + " " + pathAndQuery
                + ") should be refused\n" + rules);
        assertFalse(rules.allows(request));
        return refusal.get();
    }
}
