package io.proberewriter.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Writes one of the operator's Secrets as wanted: creates it when missing, updates it when its data differ, and
 * replaces it (delete, then create) when the API server would refuse the update for ever. Two fields of a Secret
 * cannot change: its {@code type}, and its data once it is marked {@code immutable}. A Secret left under our name by
 * cert-manager (type {@code kubernetes.io/tls} where the CA Secret is {@code Opaque}) would otherwise make every
 * pass end in a 422, and nothing after that write would ever run.
 */
final class SecretWriter {

    private static final Logger LOG = Logger.getLogger(SecretWriter.class);
    /** Set by cert-manager on the Secrets its Certificates write: named in the log, so the user knows whose it was. */
    private static final String CERT_MANAGER_CERTIFICATE = "cert-manager.io/certificate-name";

    private final KubernetesClient client;

    SecretWriter(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Brings the Secret to {@code wanted}; {@code current} is what was read. Every write is conditional on what was
     * read, so a write that races another writer fails with 409 and the caller's next pass decides again.
     */
    void write(Optional<Secret> current, Secret wanted) {
        if (current.isPresent() && CertificateSecrets.sameData(current.get(), wanted)) {
            return;
        }
        if (current.isEmpty()) {
            create(wanted);
            LOG.infof("Created Secret %s", nameOf(wanted));
            return;
        }
        Optional<String> unchangeable = whyNotUpdatable(current.get(), wanted);
        if (unchangeable.isPresent()) {
            replace(current.get(), wanted, unchangeable.get());
            return;
        }
        Secret replacement = new SecretBuilder(current.get())
                .withType(wanted.getType())
                .withData(wanted.getData())
                .withStringData(null)
                .editMetadata().addToLabels(wanted.getMetadata().getLabels()).endMetadata()
                .build();
        // Optimistic: another writer since our read makes this fail with 409, and the retry reads again.
        client.secrets().inNamespace(wanted.getMetadata().getNamespace()).resource(replacement).update();
        LOG.infof("Updated Secret %s", nameOf(wanted));
    }

    /** Why the API server would refuse to update {@code current} into {@code wanted}, if it would. */
    private static Optional<String> whyNotUpdatable(Secret current, Secret wanted) {
        if (!Objects.equals(current.getType(), wanted.getType())) {
            return Optional.of("its type is " + current.getType() + ", not " + wanted.getType()
                    + ", and a Secret's type cannot change");
        }
        if (Boolean.TRUE.equals(current.getImmutable())) {
            return Optional.of("it is marked immutable, so its data cannot change");
        }
        return Optional.empty();
    }

    /**
     * Deletes the version read, then creates the wanted one. Whatever it held is lost on purpose: the caller's plan
     * already kept what it needs of it (a CA the API server still trusts stays in the bundle it reads back from the
     * webhook configuration). The webhook keeps serving its last certificate while the Secret is briefly gone.
     */
    private void replace(Secret current, Secret wanted, String reason) {
        String whose = Optional.ofNullable(current.getMetadata().getAnnotations())
                .map(annotations -> annotations.get(CERT_MANAGER_CERTIFICATE))
                .map(certificate -> " (written by cert-manager's Certificate " + certificate + ")")
                .orElse("");
        LOG.infof("Secret %s%s cannot be updated: %s. Deleting it and creating it again", nameOf(wanted), whose,
                reason);
        // Precondition on the resourceVersion read: a Secret someone changed since is not deleted unseen (409, and
        // the next pass decides again). One already gone (404) is no failure: the delete returns nothing, and the
        // create goes ahead. If another writer creates it first, the create fails with 409 the same way.
        client.secrets().inNamespace(current.getMetadata().getNamespace()).resource(current)
                .lockResourceVersion().delete();
        create(wanted);
        LOG.infof("Replaced Secret %s", nameOf(wanted));
    }

    private void create(Secret wanted) {
        client.secrets().inNamespace(wanted.getMetadata().getNamespace()).resource(wanted).create();
    }

    private static String nameOf(Secret secret) {
        return secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
    }
}
