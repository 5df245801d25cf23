package io.proberewriter.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.proberewriter.certificates.CertificateSecrets;
import io.proberewriter.cluster.RetryingInformers;
import io.proberewriter.config.AdmissionPort;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.TlsSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * With {@code probe-rewriter.tls.source=secret}: watches the serving Secret the operator writes (by name, in
 * probe-rewriter's namespace) and serves each new version. Every replica watches, so a renewal reaches all of them
 * within moments, without a volume, a kubelet sync or a restart. A deleted Secret leaves the last certificate in
 * service: an API server that is briefly gone, or an operator putting things right, must not stop admissions.
 */
@Singleton
public class ServingSecretWatch {

    private static final Logger LOG = Logger.getLogger(ServingSecretWatch.class);

    private final ProbeRewriterConfig config;
    private final Instance<KubernetesClient> client;
    private final ServingCertificate certificate;
    private final Vertx vertx;
    private volatile SharedIndexInformer<Secret> informer;

    ServingSecretWatch(ProbeRewriterConfig config, Instance<KubernetesClient> client, ServingCertificate certificate,
                       Vertx vertx) {
        this.config = config;
        this.client = client;
        this.certificate = certificate;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event, AdmissionPort port) {
        if (config.tls().source() != TlsSource.SECRET || !port.listening()) {
            return;
        }
        String namespace = config.namespace();
        String name = config.tls().secretName();
        LOG.infof("Serving the certificate of Secret %s/%s", namespace, name);
        SharedIndexInformer<Secret> started = RetryingInformers.retryingForever(
                client.get().secrets().inNamespace(namespace).withName(name).runnableInformer(0), LOG,
                "Secret " + namespace + "/" + name);
        started.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                offer(secret);
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                offer(after);
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                LOG.warnf("Secret %s/%s was deleted; still serving the last certificate until it is back", namespace,
                        name);
                certificate.sourceGone("Secret " + namespace + "/" + name
                        + " was deleted; still serving the last certificate until it is back");
            }
        });
        informer = started;
        started.start();
    }

    void stop(@Observes ShutdownEvent event) {
        SharedIndexInformer<Secret> current = informer;
        if (current != null) {
            current.stop();
        }
    }

    /** Serves the Secret's certificate if it is whole; returns whether it is now served. */
    boolean offer(Secret secret) {
        String origin = "Secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
        Optional<X509ExtendedKeyManager> keyManager = keyManager(secret, origin);
        return keyManager.isPresent() && certificate.serve(keyManager.get(), origin);
    }

    private Optional<X509ExtendedKeyManager> keyManager(Secret secret, String origin) {
        Optional<byte[]> cert = entry(secret, CertificateSecrets.TLS_CERT);
        Optional<byte[]> key = entry(secret, CertificateSecrets.TLS_KEY);
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
        return Optional.ofNullable(CertificateSecrets.text(secret, key)).filter(text -> !text.isEmpty())
                .map(text -> text.getBytes(StandardCharsets.US_ASCII));
    }
}
