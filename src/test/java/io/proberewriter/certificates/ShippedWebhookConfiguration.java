package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The MutatingWebhookConfiguration users apply (k8s/base), caBundle absent as it ships, for a mock API server. */
final class ShippedWebhookConfiguration {

    static final Path MANIFEST = Path.of("k8s/base/mutatingwebhookconfiguration.yaml");

    private ShippedWebhookConfiguration() {
    }

    static MutatingWebhookConfiguration read() {
        try (InputStream manifest = Files.newInputStream(MANIFEST)) {
            return Serialization.unmarshal(manifest, MutatingWebhookConfiguration.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MANIFEST, e);
        }
    }

    /** Creates it in the cluster behind {@code client} and returns it as created. */
    static MutatingWebhookConfiguration createIn(KubernetesClient client) {
        return client.resource(read()).create();
    }
}
