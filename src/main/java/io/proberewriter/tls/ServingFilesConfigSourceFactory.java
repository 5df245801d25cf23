package io.proberewriter.tls;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Points the HTTPS server at the PEM files through the Quarkus TLS registry — only when the certificate comes
 * from files ({@code probe-rewriter.tls.source=files}, the default). The registry checks its files when the
 * application starts, so with {@code source=secret}, where no file exists, it must not be configured at all:
 * a plain properties file cannot say "only if", this factory can.
 */
public class ServingFilesConfigSourceFactory implements ConfigSourceFactory {

    /** Below application.properties (250), so an explicit setting there still wins. */
    static final int ORDINAL = 240;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String source = value(context, "probe-rewriter.tls.source", "files");
        String profile = value(context, "quarkus.profile", "prod");
        if (!"files".equalsIgnoreCase(source.trim()) || profile.contains("dev")) {
            // Dev mode has no certificate files unless one is configured by hand.
            return List.of();
        }
        String prefix = "quarkus.tls." + ServingCertificate.TLS_CONFIGURATION + ".";
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.http.tls-configuration-name", ServingCertificate.TLS_CONFIGURATION,
                prefix + "key-store.pem.serving.cert",
                value(context, "probe-rewriter.tls.cert-file", "/etc/probe-rewriter/tls/tls.crt"),
                prefix + "key-store.pem.serving.key",
                value(context, "probe-rewriter.tls.key-file", "/etc/probe-rewriter/tls/tls.key"),
                prefix + "protocols", "TLSv1.3,TLSv1.2"), "probe-rewriter serving certificate files", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? fallback : value.getValue();
    }
}
