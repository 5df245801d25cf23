package io.proberewriter.tls;

import io.proberewriter.config.AdmissionPort;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.TlsSource;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.inject.Singleton;

/**
 * The key store of the TLS registry configuration {@value ServingCertificate#TLS_CONFIGURATION}, decided when the
 * application starts rather than when it is built: the PEM files with {@code probe-rewriter.tls.source=files}
 * (read through Vert.x's PEM loader, as the registry's own PEM configuration does; missing files stop startup),
 * and none with {@code source=secret}, where the certificate arrives later through {@link SecretCertificateSource}
 * and no file exists to check. None either in the operator's process, which has no HTTPS port. Properties cannot
 * express that choice: Quarkus fixes runtime defaults at build time.
 */
@Singleton
@Identifier(ServingCertificate.TLS_CONFIGURATION)
public class ServingKeyStoreProvider implements KeyStoreProvider {

    private final ProbeRewriterConfig config;
    private final AdmissionPort port;

    ServingKeyStoreProvider(ProbeRewriterConfig config, AdmissionPort port) {
        this.config = config;
        this.port = port;
    }

    @Override
    public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        if (config.tls().source() != TlsSource.FILES || !port.listening()) {
            return null;
        }
        PemKeyCertOptions files = new PemKeyCertOptions()
                .setCertPath(config.tls().certFile())
                .setKeyPath(config.tls().keyFile());
        try {
            return new KeyStoreAndKeyCertOptions(files.loadKeyStore(vertx), files);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the serving certificate " + config.tls().certFile()
                    + " and key " + config.tls().keyFile() + " (probe-rewriter.tls.cert-file, key-file): " + e, e);
        }
    }
}
