package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proberewriter.scale.GrowthTable;
import io.proberewriter.scale.ScalePods;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Admissions of pods of 10 to 40,000 containers and annotations — what the API server can send a mutating webhook
 * (3 MiB, validated only afterwards) — in process (parse, engine, patch, response) with time, allocation and
 * response size, and the issue's pod and the largest legal request over HTTPS, against the webhook's 5-second
 * timeout. Run with {@code mvn -B verify -Pbenchmark}.
 */
@Tag("benchmark")
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionScaleBenchmarkTest extends WebhookTestBase {

    private static final int[] SIZES = {10, 100, 1_000, 10_000, 40_000};
    /** The envelope Reviews puts around a pod, with room to spare. */
    private static final int ENVELOPE_BYTES = 1024;

    @Inject
    AdmissionController controller;

    @Test
    void admissionGrowsLinearlyAndTheLargestRequestIsAnsweredInTime() throws Exception {
        GrowthTable table = new GrowthTable("one admission in process (parse, engine, patch, response; JIT warmed)");
        for (int n : SIZES) {
            measure(table, "containers, 1 probe each", n, ScalePods.withContainers(n, 1));
        }
        for (int n : SIZES) {
            measure(table, "annotations naming no container*", n, ScalePods.withAnnotationsNamingNoContainer(n, 100));
        }
        ObjectNode issuesPod = ScalePods.theIssuesPod();
        ObjectNode largest = ScalePods.largestLegal(ENVELOPE_BYTES);
        measure(table, "the issue's pod (20,000 c., 6,500 a.)", 20_000, issuesPod);
        measure(table, "largest legal request (containers)", ScalePods.containerCount(largest), largest);
        table.print();
        System.out.println("* on a pod of 100 containers; size = annotations");

        System.out.println();
        System.out.println("== over HTTPS, as the API server calls it (median of 5 after one warm-up) ==");
        https("the issue's pod (20,000 c., 6,500 a.)", issuesPod);
        https("largest legal request (" + ScalePods.containerCount(largest) + " containers)", largest);
    }

    private void measure(GrowthTable table, String label, int size, ObjectNode pod) {
        byte[] body = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length <= ScalePods.API_SERVER_REQUEST_LIMIT, label + ": " + body.length + " bytes");
        table.measure(label, size, () -> {
            AdmissionAnswer answer = controller.handle(body);
            assertEquals(200, answer.status());
            return answer.body().length;
        });
    }

    private void https(String label, ObjectNode pod) throws Exception {
        byte[] body = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);
        WebhookClient client = client();
        assertEquals(200, client.post(body).statusCode());
        List<Long> nanos = new ArrayList<>();
        HttpResponse<byte[]> last = null;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            last = client.post(body);
            nanos.add(System.nanoTime() - start);
            assertEquals(200, last.statusCode());
        }
        Collections.sort(nanos);
        JsonNode response = Reviews.response(last);
        System.out.printf(Locale.ROOT, "%-45s request %,10d bytes  %8.1f ms  response %,8d bytes  outcome %s%n", label,
                body.length, nanos.get(2) / 1e6, last.body().length, outcome(response));
    }
}
