package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.proberewriter.cluster.NamespaceCache;
import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.polling.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden cases whose namespaces carry defaults (Namespace documents, the CLI's --mode and --exec-command), sent
 * as the API server would, over HTTPS, with the Namespaces in a mock API server: the transport and the namespace
 * cache end to end. Every case runs through the decision in process in {@link GoldenCasesThroughTheDecisionTest}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class AdmissionGoldenTest extends GoldenThroughWebhook {

    @TestFactory
    Stream<DynamicTest> goldenCasesWithNamespaceDefaultsOverHttps() throws Exception {
        WebhookClient client = client();
        return GoldenCase.all().filter(c -> "assume-all".equals(c.resolver()))
                .filter(c -> c.holdsKind("Namespace") || c.holdsKind("LimitRange") || c.flag("--mode") != null
                        || c.flag("--exec-command") != null)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    List<SourceDocument> inputs = c.inputs();
                    createNamespaces(kubernetes, namespaces, GoldenCluster.namespaces(c, inputs, false));
                    createLimitRanges(kubernetes, namespaces, GoldenCluster.limitRanges(inputs));
                    assertThroughWebhook(client, c, inputs);
                }));
    }

    /** Creates the LimitRanges in the API server and waits until the webhook's cache holds what they ask. */
    static void createLimitRanges(KubernetesClient kubernetes, NamespaceCache cache, List<LimitRange> wanted)
            throws InterruptedException {
        // A change made between the informer's list and its watch would not reach the mock's watchers.
        Eventually.until("the namespace cache to watch", Duration.ofSeconds(20), cache::watching);
        for (LimitRange range : wanted) {
            kubernetes.limitRanges().resource(range).createOr(NonDeletingOperation::update);
        }
        for (LimitRange range : wanted) {
            String namespace = range.getMetadata().getNamespace();
            ContainerLimits expected = GoldenCluster.containerLimits(wanted, namespace);
            Eventually.until("the namespace cache to see the LimitRanges of " + namespace, Duration.ofSeconds(20),
                    () -> cache.view(namespace).context().containerLimits().equals(expected));
        }
    }

    /** {@link GoldenAdmissions#assertEveryPod} over HTTPS: every answer a 200. */
    static void assertThroughWebhook(WebhookClient client, GoldenCase c, List<SourceDocument> inputs) throws Exception {
        GoldenAdmissions.assertEveryPod(c, inputs, (namespace, pod) -> {
            HttpResponse<byte[]> http = client.post(Reviews.podCreate(namespace, pod).toString());
            assertEquals(200, http.statusCode(), new String(http.body()));
            return Reviews.response(http);
        });
    }

    /** Creates (or updates) the namespaces in the API server and waits until the webhook's cache holds them so. */
    static void createNamespaces(KubernetesClient kubernetes, NamespaceCache cache, List<Namespace> wanted)
            throws InterruptedException {
        for (Namespace ns : wanted) {
            kubernetes.namespaces().resource(ns).createOr(NonDeletingOperation::update);
            NamespaceView expected = NamespaceView.of(ns);
            Eventually.until("the namespace cache to see " + ns.getMetadata(), Duration.ofSeconds(20),
                    () -> cache.view(ns.getMetadata().getName()).context().equals(expected.context()));
        }
    }
}
