package io.proberewriter.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.proberewriter.cluster.RetryingInformers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * With {@code probe-rewriter.tls.source=secret}: watches the serving Secret the operator writes (by name, in
 * probe-rewriter's namespace) and offers each new version. Every replica watches, so a renewal reaches all of them
 * within moments, without a volume, a kubelet sync or a restart. A deleted Secret leaves the last certificate in
 * service: an API server that is briefly gone, or an operator putting things right, must not stop admissions.
 */
final class SecretCertificateSource implements CertificateSource {

    private static final Logger LOG = Logger.getLogger(SecretCertificateSource.class);

    private final Supplier<KubernetesClient> client;
    private final Vertx vertx;
    private final String namespace;
    private final String name;
    private final String origin;
    /** Why the Secret cannot be read now (it was deleted), or null. */
    private volatile String gone;
    private volatile SharedIndexInformer<Secret> informer;

    /** {@code client} is asked for only when the watch starts: with files, no client is needed at all. */
    SecretCertificateSource(Supplier<KubernetesClient> client, Vertx vertx, String namespace, String name) {
        this.client = client;
        this.vertx = vertx;
        this.namespace = namespace;
        this.name = name;
        this.origin = "Secret " + namespace + "/" + name;
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public String nothingServedYet() {
        return "no certificate yet from " + origin;
    }

    @Override
    public Optional<CertificateVersion> initial() {
        return Optional.empty(); // It arrives through the watch; until then the replica is not ready.
    }

    @Override
    public void start(Consumer<CertificateVersion> versions) {
        LOG.infof("Serving the certificate of %s", origin);
        SharedIndexInformer<Secret> started = RetryingInformers.retryingForever(
                client.get().secrets().inNamespace(namespace).withName(name).runnableInformer(0), LOG, origin);
        started.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                offer(secret, versions);
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                offer(after, versions);
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                LOG.warnf("%s was deleted; still serving the last certificate until it is back", origin);
                gone = origin + " was deleted; still serving the last certificate until it is back";
            }
        });
        informer = started;
        started.start();
    }

    /**
     * Whether the watch is open. Tests wait for it before they change the Secret: an API server replays the changes
     * made between the list and the watch (the watch starts at the list's resourceVersion), the mock API server does
     * not.
     */
    boolean watching() {
        SharedIndexInformer<Secret> current = informer;
        return current != null && current.isWatching();
    }

    @Override
    public void stop() {
        SharedIndexInformer<Secret> current = informer;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(gone);
    }

    /** Offers the Secret's certificate if it can be read as one; a Secret caught half-written is only logged. */
    void offer(Secret secret, Consumer<CertificateVersion> versions) {
        keyManager(secret).ifPresent(keyManager -> {
            gone = null;
            versions.accept(new CertificateVersion(origin, null, () -> Optional.of(keyManager), origin + ": ",
                    "Serving certificate from " + origin));
        });
    }

    private Optional<X509ExtendedKeyManager> keyManager(Secret secret) {
        Optional<byte[]> cert = entry(secret, TlsSecretLayout.TLS_CERT);
        Optional<byte[]> key = entry(secret, TlsSecretLayout.TLS_KEY);
        if (cert.isEmpty() || key.isEmpty()) {
            LOG.warnf("%s has no tls.crt and tls.key yet", origin);
            return Optional.empty();
        }
        try {
            // Vert.x reads the PEM, as it does for the files: PKCS#8, PKCS#1 and SEC1 keys alike.
            PemKeyCertOptions pem = new PemKeyCertOptions()
                    .addCertValue(Buffer.buffer(cert.get()))
                    .addKeyValue(Buffer.buffer(key.get()));
            for (KeyManager km : pem.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (km instanceof X509ExtendedKeyManager x509) {
                    return Optional.of(x509);
                }
            }
        } catch (Exception e) {
            LOG.warnf("%s does not hold a usable certificate and key: %s", origin, e.toString());
        }
        return Optional.empty();
    }

    private static Optional<byte[]> entry(Secret secret, String key) {
        return Optional.ofNullable(TlsSecretLayout.text(secret, key)).filter(text -> !text.isEmpty())
                .map(text -> text.getBytes(StandardCharsets.US_ASCII));
    }
}
