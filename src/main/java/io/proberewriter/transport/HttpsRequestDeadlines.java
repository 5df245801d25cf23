package io.proberewriter.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.config.ProbeRewriterConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Gives the HTTPS server request header and body timeouts ({@link RequestDeadlines}); its idle timeout is Quarkus'
 * own ({@code quarkus.http.idle-timeout}, set from {@code probe-rewriter.webhook.idle-timeout}). Connections closed
 * for a missed deadline are counted in {@code probe_rewriter_request_timeouts_total{phase}}.
 */
@Singleton
public class HttpsRequestDeadlines implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(HttpsRequestDeadlines.class);

    private final RequestTimeouts timeouts;
    private final Map<RequestDeadlines.Missed, Counter> missed = new EnumMap<>(RequestDeadlines.Missed.class);

    HttpsRequestDeadlines(ProbeRewriterConfig config, MeterRegistry meters) {
        this.timeouts = new RequestTimeouts(config.webhook().headerTimeout(), config.webhook().bodyTimeout());
        for (RequestDeadlines.Missed phase : RequestDeadlines.Missed.values()) {
            missed.put(phase, Counter.builder("probe_rewriter_request_timeouts")
                    .description("HTTPS connections closed because a request's headers or body did not arrive in time")
                    .tag("phase", phase.tag)
                    .register(meters));
        }
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        SSLEngineOptions engine = options.getSslEngineOptions();
        if (engine != null && !(engine instanceof JdkSSLEngineOptions)) {
            LOG.warnf("The HTTPS server uses the TLS engine %s: request header and body timeouts are not applied",
                    engine.getClass().getSimpleName());
            return;
        }
        JdkSSLEngineOptions jdk = engine == null ? new JdkSSLEngineOptions() : (JdkSSLEngineOptions) engine;
        options.setSslEngineOptions(new RequestDeadlinesEngineOptions(jdk, timeouts, phase -> missed.get(phase)
                .increment()));
    }
}
