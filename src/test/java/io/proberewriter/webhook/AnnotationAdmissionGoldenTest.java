package io.proberewriter.webhook;


import io.proberewriter.cluster.WebhookMtlsResolver;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.manifest.ManifestReader;
import io.proberewriter.manifest.SourceDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The {@code --mtls annotation} golden cases through the webhook configured with the annotation resolver. */
@QuarkusTest
@TestProfile(AnnotationAdmissionGoldenTest.AnnotationResolverProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AnnotationAdmissionGoldenTest extends GoldenThroughWebhook {

    public static class AnnotationResolverProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("probe-rewriter.mtls.resolver", "annotation");
        }
    }

    @Inject
    WebhookMtlsResolver resolver;

    @TestFactory
    Stream<DynamicTest> annotationGoldenCasesThroughTheWebhook() throws Exception {
        WebhookClient client = client();
        return GoldenCase.all().filter(c -> "annotation".equals(c.flag("--mtls")))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!resolver.ready() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<SourceDocument> inputs = new ManifestReader().read(c.input().toString(), Files.readString(c.input()));
            AdmissionGoldenTest.prepareNamespaces(kubernetes, namespaces, c, inputs, false);
            AdmissionGoldenTest.assertThroughWebhook(client, c, inputs);
        }));
    }
}
