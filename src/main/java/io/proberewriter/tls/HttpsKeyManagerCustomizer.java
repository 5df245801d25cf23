package io.proberewriter.tls;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import jakarta.inject.Singleton;

/**
 * Gives the HTTPS server the reloading key manager. Quarkus applies the TLS registry's settings (protocols,
 * the PEM files) first and then this customizer, so only where the certificate comes from changes.
 */
@Singleton
public class HttpsKeyManagerCustomizer implements HttpServerOptionsCustomizer {

    private final ServingCertificate certificate;

    HttpsKeyManagerCustomizer(ServingCertificate certificate) {
        this.certificate = certificate;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setKeyCertOptions(KeyCertOptions.wrap(certificate.keyManager()));
    }
}
