package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Health and metrics live on the plain-HTTP management port, never on the HTTPS webhook port. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class ManagementInterfaceTest extends WebhookTestBase {

    @Test
    void livenessAndReadinessAreUpWithTheirChecks() throws Exception {
        HttpResponse<String> live = managementGet("health/live");
        assertEquals(200, live.statusCode(), live.body());
        // The mTLS resolver is chosen in the background after startup (API discovery): readiness follows shortly.
        Eventually.until("readiness", Duration.ofSeconds(20), () -> {
            try {
                return managementGet("health/ready").statusCode() == 200;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> ready = managementGet("health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"mtls-resolver\""), ready.body());
        assertTrue(ready.body().contains("\"resolver\": \"assume-all\""), ready.body());
        assertTrue(ready.body().contains("\"serving-certificate\""), ready.body());
        assertTrue(ready.body().contains("\"namespace-cache\""), ready.body());
        assertTrue(ready.body().contains("\"watching\": true"), ready.body());
        assertEquals(documentedReadinessChecks(), checkNames(ready.body()),
                "the readiness checks docs/operations.md#health-endpoints shows; the answer: " + ready.body());
    }

    /** The names in the sample answer of docs/operations.md's "A ready pod", as a set: the order is Quarkus'. */
    private static Set<String> documentedReadinessChecks() throws IOException {
        String page = Files.readString(Path.of("docs/operations.md"));
        int sample = page.indexOf("```json", page.indexOf("A ready pod"));
        assertTrue(sample >= 0, "docs/operations.md has no sample readiness answer");
        String json = page.substring(sample + "```json".length(), page.indexOf("```", sample + 1));
        return checkNames(json);
    }

    private static Set<String> checkNames(String health) throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode check : new ObjectMapper().readTree(health).path("checks")) {
            names.add(check.path("name").asText());
        }
        return names;
    }

    @Test
    void metricsAreInPrometheusFormatWithTheWebhooksMeters() throws Exception {
        client().post(Reviews.podCreate("default", pod("metrics", 8080)).toString());
        HttpResponse<String> metrics = managementGet("metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain")
                || metrics.headers().firstValue("content-type").orElse("").contains("openmetrics"), metrics.headers().toString());
        String body = metrics.body();
        for (String series : new String[] {"probe_rewriter_admissions_total{outcome=\"patched\"}",
                "probe_rewriter_probes_rewritten_total{mode=\"exec\",probe=\"liveness\"}",
                "probe_rewriter_admission_duration_seconds_bucket{outcome=\"patched\"",
                "probe_rewriter_serving_certificate_expiry_seconds"}) {
            assertTrue(body.contains(series), "missing " + series);
        }
        assertTrue(metric("probe_rewriter_admissions_total{outcome=\"patched\"}") >= 1);
    }

    /**
     * The JVM's and the process's series besides the webhook's own, and none of Micrometer's generic HTTP server,
     * Vert.x or Netty binders: they are not documented, and the last two held some ten MiB of resident memory.
     */
    @Test
    void jvmAndProcessSeriesAreExportedAndNoHttpVertxOrNettyOnes() throws Exception {
        client().post(Reviews.podCreate("default", pod("series", 8080)).toString());
        String body = managementGet("metrics").body();
        assertTrue(body.contains("jvm_memory_used_bytes"), "JVM series");
        assertTrue(body.contains("process_cpu_usage"), "process series");
        for (String line : body.lines().filter(l -> !l.startsWith("#")).toList()) {
            for (String prefix : new String[] {"http_server_", "vertx_", "netty_", "worker_pool_"}) {
                assertFalse(line.startsWith(prefix), "exported: " + line);
            }
        }
    }

    /**
     * What ProbeRewriterCertificateExpiresSoon (k8s/components/monitoring) subtracts time() from: the notAfter of the
     * certificate this replica serves, in seconds since the epoch.
     */
    @Test
    void theCertificateExpiryGaugeIsTheServedCertificatesNotAfterInEpochSeconds() throws Exception {
        HttpResponse<byte[]> answer = client().post(Reviews.podCreate("default", pod("expiry", 8080)).toString());
        X509Certificate served = WebhookClient.servedCertificate(answer).orElseThrow();
        assertEquals(served.getNotAfter().toInstant().getEpochSecond(),
                metric("probe_rewriter_serving_certificate_expiry_seconds"), 0.0, "the gauge, against " + served
                        .getSubjectX500Principal());
    }

    @Test
    void theManagementPortIsPlainHttpAndTheWebhookPortServesNoManagementEndpoints() throws Exception {
        assertTrue(management.toString().startsWith("http://"), management.toString());
        HttpResponse<byte[]> onWebhookPort = client().send(HttpRequest.newBuilder(
                URI.create(mutate.toString()).resolve("/q/metrics")).GET().build());
        assertEquals(404, onWebhookPort.statusCode());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(
                URI.create(management.toString()).resolve("/mutate")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, wrongMethod.statusCode(), "the webhook must not be reachable over plain HTTP");
    }
}
