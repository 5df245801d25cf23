package io.proberewriter.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.proberewriter.cluster.NamespaceCache;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;

/** What every golden-cases-through-the-webhook test needs: the HTTPS endpoint, the mock cluster, its caches. */
abstract class GoldenThroughWebhook {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @Inject
    KubernetesClient kubernetes;

    @Inject
    NamespaceCache namespaces;

    WebhookClient client() {
        return new WebhookClient(URI.create(mutate.toString()));
    }
}
