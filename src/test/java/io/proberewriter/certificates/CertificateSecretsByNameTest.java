package io.proberewriter.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.install.ApiRequest;
import io.proberewriter.install.RbacRules;
import io.proberewriter.polling.Eventually;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's namespace may be shared: Helm keeps its release Secrets there ({@code sh.helm.release.v1.*}, a
 * release's whole manifest and values), other charts theirs. The certificates reconciler reads and caches its two
 * Secrets only, and every Secret request it makes is one the shipped Role allows (k8s/base: by name, create aside),
 * decided by {@link RbacRules} in front of the mock API server as the API server's authorizer would.
 */
class CertificateSecretsByNameTest {

    static final String NAMESPACE = "probe-rewriter-system";
    static final String CA_SECRET = "probe-rewriter-ca";
    static final String TLS_SECRET = "probe-rewriter-tls";
    static final String HELM_RELEASE = "sh.helm.release.v1.probe-rewriter.v1";
    static final String ADMIN_AUTHORIZATION = "Bearer cluster-admin";

    private AuthorizingSecrets apiServer;
    private KubernetesMockServer server;
    /** The operator's client: its Secret requests are judged. */
    private KubernetesClient client;
    /** The test's own, as a cluster admin: what other charts and Helm write. */
    private KubernetesClient admin;
    private Operator operator;

    /**
     * Secret requests of the operator's client are answered 403 unless the operator's RBAC in k8s/base allows them;
     * the admin's, and everything else, as the CRUD does.
     */
    private static final class AuthorizingSecrets extends KubernetesMixedDispatcher {
        final RbacRules operatorRbac = RbacRules.forServiceAccount(RbacRules.fromKustomization(Path.of("k8s/base")),
                NAMESPACE, "probe-rewriter-operator");
        final List<String> secretRequests = Collections.synchronizedList(new ArrayList<>());
        final List<String> refused = Collections.synchronizedList(new ArrayList<>());

        AuthorizingSecrets(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            ApiRequest asked = ApiRequest.parse(request.getMethod(), request.getPath());
            boolean byAdmin = ADMIN_AUTHORIZATION.equals(request.getHeader("Authorization"));
            if (!byAdmin && asked.resourceRequest() && asked.resource().equals("secrets")) {
                secretRequests.add(request.getMethod() + " " + request.getPath());
                Optional<String> refusal = operatorRbac.refusal(asked);
                if (refusal.isPresent()) {
                    refused.add(refusal.get());
                    return new MockResponse().setResponseCode(403).setBody(RbacRules.forbiddenStatus(refusal.get()));
                }
            }
            return super.dispatch(request);
        }
    }

    @BeforeEach
    void startApiServer() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        apiServer = new AuthorizingSecrets(expectations);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, apiServer, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient();
        admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withOauthToken("cluster-admin").build()).build();
        admin.resource(otherSecret(HELM_RELEASE)).create();
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        admin.close();
        client.close();
        server.destroy();
    }

    @Test
    void theOperatorWritesItsCertificatesUnderTheShippedRoleAndReadsNoOtherSecret() throws Exception {
        ShippedWebhookConfiguration.createIn(client);
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new CertificateReconciler(config(), client, Clock.systemUTC()));
        operator.start();

        Eventually.until("the caBundle written", Duration.ofSeconds(30), () -> !caBundle().isEmpty());
        Eventually.until("both Secrets written", Duration.ofSeconds(30),
                () -> admin.secrets().inNamespace(NAMESPACE).withName(TLS_SECRET).get() != null);
        // A copy (toArray holds the list's lock): the operator's informers may still add to it while it is read.
        List<String> secretRequests = List.copyOf(apiServer.secretRequests);
        assertEquals(List.of(), apiServer.refused, "every Secret request within the shipped Role: " + secretRequests);
        assertTrue(secretRequests.stream().noneMatch(r -> r.contains(HELM_RELEASE)), secretRequests
                .toString());
        assertTrue(secretRequests.stream().anyMatch(r -> r.contains("watch=true")),
                "the Secrets are watched: " + secretRequests);
        // Whatever the Role says: a list or watch of the collection names the one Secret it is for.
        List<String> unselected = secretRequests.stream()
                .filter(r -> r.startsWith("GET /api/v1/namespaces/" + NAMESPACE + "/secrets?")
                        && !r.contains("fieldSelector=metadata.name%3D"))
                .toList();
        assertEquals(List.of(), unselected, "lists or watches of every Secret in the namespace");
    }

    /** The event source's cache: our Secrets as they come and go, never another, and only theirs reconcile. */
    @Test
    void theCacheHoldsOurSecretsAlone() throws Exception {
        MutatingWebhookConfiguration configuration = ShippedWebhookConfiguration.createIn(client);
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        NamedSecrets secrets = new NamedSecrets(client, NAMESPACE, Set.of(CA_SECRET, TLS_SECRET),
                ResourceID.fromResource(configuration));
        secrets.setEventHandler(events::add);
        secrets.start();
        try {
            assertEquals(Set.of(), names(secrets.getSecondaryResources(configuration)), "none of ours yet");
            admin.resource(otherSecret("another-chart-credentials")).create();
            admin.resource(otherSecret(TLS_SECRET)).create();
            Eventually.until("our Secret cached", Duration.ofSeconds(10),
                    () -> names(secrets.getSecondaryResources(configuration)).equals(Set.of(TLS_SECRET)));
            Eventually.until("its change reconciles the webhook configuration", Duration.ofSeconds(10),
                    () -> !events.isEmpty());
            assertEquals(Set.of(ResourceID.fromResource(configuration)),
                    events.stream().map(Event::getRelatedCustomResourceID).collect(Collectors.toSet()));
            int seen = events.size();
            admin.secrets().inNamespace(NAMESPACE).withName(HELM_RELEASE)
                    .edit(s -> new SecretBuilder(s).addToStringData("release", "v2").build());
            admin.secrets().inNamespace(NAMESPACE).withName(TLS_SECRET).delete();
            Eventually.until("our Secret gone from the cache", Duration.ofSeconds(10),
                    () -> secrets.getSecondaryResources(configuration).isEmpty());
            // The informer updates its cache before it hands the event on: wait for the event, not the cache.
            Eventually.until("the deletion of ours reconciles", Duration.ofSeconds(10), () -> events.size() > seen);
            assertEquals(seen + 1, events.size(), "the deletion of ours reconciles; the others' changes do not");
            assertEquals(List.of(), apiServer.refused, "watched within the shipped Role: " + apiServer.secretRequests);
        } finally {
            secrets.stop();
        }
    }

    private static Set<String> names(Set<Secret> secrets) {
        return secrets.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static Secret otherSecret(String name) {
        return new SecretBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(name).endMetadata()
                .addToStringData("release", "H4sIAAAAAAAC").build();
    }

    private String caBundle() {
        MutatingWebhookConfiguration current = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("probe-rewriter").get();
        String bundle = current.getWebhooks().get(0).getClientConfig().getCaBundle();
        return bundle == null ? "" : bundle;
    }

    private static ProbeRewriterConfig config() {
        return ConfigMappings.read(ProbeRewriterConfig.class, Map.of("probe-rewriter.namespace", NAMESPACE));
    }
}
