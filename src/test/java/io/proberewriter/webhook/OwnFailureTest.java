package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whatever we throw while admitting a pod — an exception, an OutOfMemoryError (which the JVM survives when it unwinds
 * the admission that caused it), another Error — the API server gets a 200 that allows the pod unchanged, with a
 * warning, and the failure is counted: a bug of ours never blocks a pod nor answers 5xx.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class OwnFailureTest extends WebhookTestBase {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            ExplodingOracle.PORT + ", java.lang.IllegalStateException",
            ExplodingOracle.OUT_OF_MEMORY_PORT + ", java.lang.OutOfMemoryError",
            ExplodingOracle.ERROR_PORT + ", java.lang.NoClassDefFoundError"})
    void anyThrowableAdmitsThePodUnchangedAndIsCounted(int port, String thrown) throws Exception {
        double errorsBefore = metric("probe_rewriter_admissions_total{outcome=\"error\"}");
        ObjectNode review = Reviews.podCreate("default", pod("p", port));
        HttpResponse<byte[]> http = client().post(review.toString());

        assertEquals(200, http.statusCode());
        JsonNode response = Reviews.response(http);
        assertEquals(review.path("request").path("uid").asText(), response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean());
        assertNull(Reviews.patch(response));
        assertEquals("error", outcome(response));
        String warning = response.path("warnings").get(0).asText();
        assertTrue(warning.startsWith("probe-rewriter: internal error, the pod was admitted unchanged: " + thrown),
                warning);
        assertEquals(errorsBefore + 1, metric("probe_rewriter_admissions_total{outcome=\"error\"}"));
    }
}
