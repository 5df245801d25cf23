package io.proberewriter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.engine.Annotations;
import io.proberewriter.operator.OperatorLauncher;
import io.proberewriter.webhook.ServingCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Every metric the shipped alerts and dashboard read that is not the API server's is one the running application
 * exports at /q/metrics. The webhook's are there at 0 from the start, the audit's gauge only for a namespace it found
 * something in; the test makes each event happen first, as a cluster would, so that every series counts something:
 * a pod rewritten, a pod left incompatible, a body refused (the webhook), a running pod with a broken probe found
 * by the audit (the operator, started here as {@code operate} starts it), and a reconcile of the audit that fails.
 * The operator SDK registers a controller's failure counter ({@code
 * operator_sdk_controllers_execution_reconcile_failure_total}) only at its first failure, so that one is provoked as a
 * cluster would: a broken pod of a namespace asking for remediation, whose ReplicaSet the API server refuses to show.
 */
@QuarkusTest
@TestProfile(ExportedMetricsTest.AuditAndWebhook.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class ExportedMetricsTest {

    /**
     * The assume-all resolver (every probed port under mTLS), and of the reconcilers only the audit, with remediation
     * on so that it reads a broken pod's owners (one of which it is refused, to make it fail).
     */
    public static class AuditAndWebhook implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "assume-all",
                    "probe-rewriter.operator.certificates.enabled", "false",
                    "probe-rewriter.operator.port-exceptions.enabled", "false",
                    "probe-rewriter.operator.audit.recheck-interval", "1s",
                    "probe-rewriter.operator.audit.remediation.enabled", "true");
        }
    }

    private static final String NAMESPACE = "monitored";
    /** Opted in and asking for remediation: the audit reads its broken pods' ReplicaSets, and is refused here. */
    private static final String FAILING_NAMESPACE = "monitored-refused";
    private static final String REFUSED_REPLICA_SET = "httpbin-5c9b";
    /** The SDK's failure counter, which exists only once a reconcile has thrown. */
    static final String RECONCILE_FAILURES = "operator_sdk_controllers_execution_reconcile_failure_total";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where ServingCertificates puts the certificate the webhook serves: the test's caBundle. */
    private static final Path SERVED_CERTIFICATE = Path.of("target/webhook-tls/mount/tls.crt");

    @Inject
    KubernetesClient kubernetes;

    @Inject
    OperatorLauncher launcher;

    @KubernetesTestServer
    KubernetesServer apiServer;

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private static Pod httpbin(String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(name)
                .withUid(UUID.randomUUID().toString()).withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("httpbin").withImage("docker.io/citizenstig/httpbin")
                .addNewPort().withContainerPort(8000).endPort()
                .withNewLivenessProbe().withNewHttpGet().withPath("/status/200").withPort(new IntOrString(8000))
                .endHttpGet().endLivenessProbe().endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    /** A broken pod whose controller is a ReplicaSet the API server will not show the operator (403). */
    private Pod ownedByARefusedReplicaSet() {
        apiServer.expect().get()
                .withPath("/apis/apps/v1/namespaces/" + FAILING_NAMESPACE + "/replicasets/" + REFUSED_REPLICA_SET)
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("replicasets.apps \"" + REFUSED_REPLICA_SET + "\" is forbidden").build())
                .always();
        kubernetes.resource(new NamespaceBuilder().withNewMetadata().withName(FAILING_NAMESPACE)
                .addToLabels(Annotations.ENABLED_LABEL, "true").addToAnnotations(Annotations.REMEDIATE, "true")
                .endMetadata().build()).create();
        Pod pod = httpbin(REFUSED_REPLICA_SET + "-x1", Map.of());
        return new PodBuilder(pod).editMetadata().withNamespace(FAILING_NAMESPACE).addNewOwnerReference()
                .withApiVersion("apps/v1").withKind("ReplicaSet").withName(REFUSED_REPLICA_SET)
                .withUid(UUID.randomUUID().toString()).withController(true).endOwnerReference().endMetadata().build();
    }

    private static String review(Pod pod) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", NAMESPACE);
        request.set("object", JSON.valueToTree(pod));
        return review.toString();
    }

    /** Plays the API server: HTTPS, trusting the served certificate only. */
    private HttpClient apiServer() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(SERVED_CERTIFICATE)) {
            trusted.setCertificateEntry("webhook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    }

    private int admit(HttpClient http, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(mutate.toString()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The names of the series exported now, suffixes included (_total, _bucket, _count, _sum, _max). */
    private Set<String> exported() {
        Set<String> names = new TreeSet<>();
        scrape().forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }

    /** The sample lines of a scrape of /q/metrics, comments left out. */
    private List<String> scrape() {
        try {
            // HTTP/1.1 as Prometheus speaks it: the JDK client's h2c upgrade on a plain port is not what is tested.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(management.toString())
                    .resolve("metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            return scrape.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean sleep() {
        try {
            Thread.sleep(200);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void everyMetricTheRulesAndTheDashboardReadIsExportedOrTheApiServers() throws Exception {
        launcher.start();
        assertTrue(launcher.started(), "the audit must be registered and the operator running");
        kubernetes.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels(Annotations.ENABLED_LABEL, "true").endMetadata().build()).create();
        // A pod running unrewritten: the audit counts it.
        kubernetes.resource(httpbin("slipped-past", Map.of())).create();
        // A pod the audit cannot finish with: its reconcile throws (and is retried), which the SDK counts.
        kubernetes.resource(ownedByARefusedReplicaSet()).create();

        HttpClient http = apiServer();
        assertEquals(200, admit(http, review(httpbin("rewritten", Map.of()))), "a pod to rewrite");
        assertEquals(200, admit(http, review(httpbin("left-alone", Map.of(Annotations.MODE, "off")))),
                "a pod whose probe stays incompatible");
        assertEquals(400, admit(http, "{\"kind\": \"AdmissionReview\""), "a body refused");

        Set<String> wanted = new TreeSet<>(ShippedMonitoring.metricNamesRead());
        wanted.removeAll(ShippedMonitoring.API_SERVER_METRICS);
        assertTrue(wanted.size() >= 6, "metrics of ours read by the rules and the dashboard: " + wanted);
        // The audit's gauge and the SDK's series come when the operator has seen the pods (it re-checks every
        // second); the webhook's meters are there as soon as the calls above have returned. Waited for, then the
        // names still missing named.
        Set<String> missing = new TreeSet<>(wanted);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            missing.clear();
            missing.addAll(wanted);
            missing.removeAll(exported());
        } while (!missing.isEmpty() && System.nanoTime() < deadline && sleep());
        assertEquals(Set.of(), missing, "read by the rules or the dashboard but not exported");

        // The failures counted are the audit's, by controller as the dashboard's panel groups them. The exception
        // label is the SDK's wrapper whatever the reconciler threw (operations.md says so; the 403 is in the log).
        List<String> failures = scrape().stream().filter(l -> l.startsWith(RECONCILE_FAILURES + "{")).toList();
        assertTrue(failures.stream().anyMatch(l -> l.contains("controller=\"audit\"")
                        && l.contains("exception=\"OperatorException\"") && !l.endsWith(" 0.0")),
                "the audit's failed reconciles counted: " + failures);
    }
}
