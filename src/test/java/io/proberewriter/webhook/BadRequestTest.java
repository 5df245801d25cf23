package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies that are not AdmissionReviews get a 4xx naming the problem; nothing produces a 5xx. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class BadRequestTest extends WebhookTestBase {

    private HttpResponse<byte[]> post(String body) throws Exception {
        return client().post(body);
    }

    private void assertBadRequest(HttpResponse<byte[]> response, String mentions) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(400, response.statusCode(), body);
        assertTrue(body.contains(mentions), "400 body should say '" + mentions + "': " + body);
    }

    @Test
    void malformedJson() throws Exception {
        double before = metric("probe_rewriter_rejected_requests_total{reason=\"malformed-json\"}");
        assertBadRequest(post("{\"apiVersion\": \"admission.k8s.io/v1\", "), "malformed JSON");
        assertEquals(before + 1, metric("probe_rewriter_rejected_requests_total{reason=\"malformed-json\"}"));
    }

    @Test
    void emptyBody() throws Exception {
        assertBadRequest(post(""), "not a JSON object");
    }

    @Test
    void notAnObject() throws Exception {
        assertBadRequest(post("[1, 2, 3]"), "not a JSON object");
    }

    @Test
    void notAnAdmissionReview() throws Exception {
        assertBadRequest(post(pod("p", 8080).toString()), "kind is \"Pod\", expected AdmissionReview");
    }

    @Test
    void anOlderAdmissionReviewVersion() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        review.put("apiVersion", "admission.k8s.io/v1beta1");
        assertBadRequest(post(review.toString()), "admissionReviewVersions: [v1]");
    }

    @Test
    void missingRequest() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        review.remove("request");
        assertBadRequest(post(review.toString()), "request is missing");
    }

    @Test
    void missingUid() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        ((ObjectNode) review.get("request")).remove("uid");
        assertBadRequest(post(review.toString()), "request.uid is missing");
    }

    @Test
    void podCreateWithoutObject() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        ((ObjectNode) review.get("request")).remove("object");
        assertBadRequest(post(review.toString()), "request.object is missing");
    }

    @Test
    void deeplyNestedJsonIsRefusedNotCrashedOn() throws Exception {
        ObjectNode review = Reviews.podCreate("default", pod("p", 8080));
        String nested = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        String body = review.toString().replace("\"dryRun\":false", "\"deep\":" + nested + ",\"dryRun\":false");
        assertBadRequest(post(body), "nesting depth");
        assertBadRequest(post("[".repeat(100_000) + "]".repeat(100_000)), "not a JSON object");
    }

    @Test
    void aPodFieldOfTheWrongTypeAdmitsThePodUnchanged() throws Exception {
        ObjectNode pod = pod("p", 8080);
        ((ObjectNode) pod.at("/spec/containers/0/livenessProbe")).put("periodSeconds", "often");
        HttpResponse<byte[]> http = post(Reviews.podCreate("default", pod).toString());
        assertEquals(200, http.statusCode());
        var response = Reviews.response(http);
        assertTrue(response.path("allowed").asBoolean());
        assertEquals("error", outcome(response));
        assertTrue(response.path("warnings").get(0).asText().contains("could not be read"), response.toString());
    }

    /**
     * The request's name is what the sender chose, and mutating admission sees it before the API server validates
     * the pod: a newline in it must not start a line of the log that looks like the webhook's own. (The refused
     * value is quoted by the parser's first line only.) Nor may a newline in a map key that the problem's field path
     * names. A controller of its own, not the webhook's: that logs one unreadable pod a minute, and another test may
     * just have had it.
     */
    @Test
    void aNewlineInTheRequestCannotForgeALogLine() throws Exception {
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(new SimpleMeterRegistry()));
        String forged = "2026-12-03 11:00:00,000 INFO  [io.pro.web.AdmissionController] forged";
        ObjectNode pod = pod("p", 8080);
        ((ObjectNode) pod.at("/spec/containers/0/livenessProbe")).put("periodSeconds", "often");
        ObjectNode review = Reviews.podCreate("default", pod);
        ((ObjectNode) review.get("request")).put("name", "p\r\n" + forged);
        ObjectNode byKey = Reviews.podCreate("default", pod("q", 8080));
        ((ObjectNode) byKey.at("/request/object/metadata")).putObject("labels").putObject("app\r\n" + forged);
        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            assertEquals(200, controller.handle(Reviews.JSON.writeValueAsBytes(review)).status());
            assertTrue(log.has(Level.WARNING, "Pod in Pod default/p  " + forged + " CREATE uid"), log.toString());

            AdmissionController another = new AdmissionController(StandaloneAdmission.mutator(),
                    StandaloneAdmission.namespaces(), new AdmissionMetrics(new SimpleMeterRegistry()));
            assertEquals(200, another.handle(Reviews.JSON.writeValueAsBytes(byKey)).status());
            assertTrue(log.has(Level.WARNING, "request.object.metadata.labels.app  " + forged + ": Cannot"),
                    log.toString());

            assertFalse(log.toString().contains("\n" + forged), log.toString());
            assertFalse(log.toString().contains("\r"), log.toString());
        }
    }

    /**
     * Values the model's port type refuses: the API server's own decoding refuses them first, but a body that has
     * them is still an admission request of a pod, and gets the same answer as any field of the wrong type.
     */
    @ParameterizedTest
    @ValueSource(strings = {"true", "1.5", "99999999999999999999", "[8080]"})
    void aPortNeitherAnIntegerNorAStringAdmitsThePodUnchanged(String port) throws Exception {
        ObjectNode pod = pod("p", 8080);
        ((ObjectNode) pod.at("/spec/containers/0/livenessProbe/httpGet")).set("port", Reviews.JSON.readTree(port));
        HttpResponse<byte[]> http = post(Reviews.podCreate("default", pod).toString());
        assertEquals(200, http.statusCode());
        var response = Reviews.response(http);
        assertTrue(response.path("allowed").asBoolean());
        assertEquals("error", outcome(response));
        String warning = response.path("warnings").get(0).asText();
        assertTrue(warning.contains("could not be read") && warning.contains("port")
                && warning.contains("expected an integer or a string"), response.toString());
    }

    @Test
    void aBodyOverTheLimitGets413BeforeItIsSent() throws Exception {
        // Only the headers go out: the answer must come from the declared length alone.
        String head = "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (8 * 1024 * 1024) + "\r\n\r\n";
        assertEquals(413, client().rawStatus(head, InputStream.nullInputStream()));
    }

    @Test
    void aChunkedBodyOverTheLimitGets413() throws Exception {
        // No length declared: the server must stop reading at the limit (7 MiB) instead of buffering all 64 MiB.
        String head = "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        byte[] chunk = ("10000\r\n" + " ".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        InputStream chunks = new java.io.SequenceInputStream(java.util.Collections.enumeration(
                java.util.Collections.nCopies(1024, chunk).stream()
                        .map(c -> (InputStream) new java.io.ByteArrayInputStream(c)).toList()));
        WebhookClient.RawAnswer answer = client().rawAnswerThenClose(head, chunks);
        assertEquals(413, answer.status());
        assertTrue(answer.closed(), "the connection must be closed after the 413, not left to read the rest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "true", "\"AdmissionReview\"", "{\"kind\":\"AdmissionReview\"}",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":42}",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}}",
            "\u0000\u0001garbage", "{\"a\":1e999999999}"})
    void oddBodiesAreRefusedWith400(String body) throws Exception {
        assertEquals(400, post(body).statusCode(), body);
    }

    @Test
    void randomBytesNeverProduceA5xx() throws Exception {
        Random random = new Random(7);
        WebhookClient client = client();
        ObjectNode valid = Reviews.podCreate("default", pod("p", 8080));
        byte[] template = valid.toString().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 200; i++) {
            byte[] body = template.clone();
            for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(128);
            }
            int status = client.post(body).statusCode();
            assertTrue(status == 200 || status == 400, "status " + status + " for " + new String(body, StandardCharsets.UTF_8));
        }
    }
}
