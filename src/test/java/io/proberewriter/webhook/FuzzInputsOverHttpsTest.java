package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer's kept inputs (hand-written edge cases and the findings it left, see {@link AdmissionFuzzTest}) sent
 * through the real transport, where the fuzzer calls the controller directly: the HTTPS layer adds no 5xx either.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class FuzzInputsOverHttpsTest extends WebhookTestBase {

    private static final Path INPUTS =
            Path.of("src/test/resources/io/proberewriter/webhook/AdmissionFuzzTestInputs/admissionReview");

    @Test
    void everyKeptInputGets200Or400() throws Exception {
        List<Path> inputs;
        try (Stream<Path> files = Files.list(INPUTS)) {
            inputs = files.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(inputs.size() >= 5, "the seed inputs are missing: " + inputs);
        for (Path input : inputs) {
            HttpResponse<byte[]> http = client().post(Files.readAllBytes(input));
            assertTrue(http.statusCode() == 200 || http.statusCode() == 400,
                    input.getFileName() + ": HTTP " + http.statusCode());
        }
    }
}
