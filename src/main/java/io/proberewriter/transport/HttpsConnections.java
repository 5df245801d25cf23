package io.proberewriter.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.TlsEngine;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What every HTTPS connection gets once its TLS handshake completes: a place under {@link ConnectionLimit}, or
 * closing; then request header and body timeouts ({@link RequestDeadlines}). Its idle timeout is Quarkus' own
 * ({@code quarkus.http.idle-timeout}, set from {@code probe-rewriter.webhook.idle-timeout}). Exported: the open
 * connections ({@code probe_rewriter_https_connections}), those refused at the limit
 * ({@code probe_rewriter_connections_refused_total}), those closed for a missed deadline
 * ({@code probe_rewriter_request_timeouts_total{phase}}). The TLS itself is BoringSSL's or the JDK's
 * ({@link TlsEngineChoice}).
 */
@Singleton
public class HttpsConnections implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(HttpsConnections.class);

    private final RequestTimeouts timeouts;
    private final ConnectionLimit limit;
    private final TlsEngineChoice tlsEngine;
    private final Map<RequestDeadlines.Missed, Counter> missed = new EnumMap<>(RequestDeadlines.Missed.class);

    HttpsConnections(ProbeRewriterConfig config, MeterRegistry meters) {
        this.timeouts = new RequestTimeouts(config.webhook().headerTimeout(), config.webhook().bodyTimeout());
        this.tlsEngine = TlsEngineChoice.of(config.webhook().tlsEngine());
        for (RequestDeadlines.Missed phase : RequestDeadlines.Missed.values()) {
            missed.put(phase, Counter.builder("probe_rewriter_request_timeouts")
                    .description("HTTPS connections closed because a request's headers or body did not arrive in time")
                    .tag("phase", phase.tag)
                    .register(meters));
        }
        Counter refused = Counter.builder("probe_rewriter_connections_refused")
                .description("HTTPS connections closed after their handshake because probe-rewriter.webhook"
                        + ".max-connections were open")
                .register(meters);
        this.limit = new ConnectionLimit(config.webhook().maxConnections(), refused::increment, System::nanoTime);
        Gauge.builder("probe_rewriter_https_connections", limit, ConnectionLimit::open)
                .description("HTTPS connections open past their handshake")
                .register(meters);
    }

    /** The TLS engine the HTTPS port uses: the one configured, unless it could not be loaded here. */
    public TlsEngine tlsEngine() {
        return tlsEngine.engine();
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        SSLEngineOptions engine = options.getSslEngineOptions();
        if (engine != null && !(engine instanceof JdkSSLEngineOptions)) {
            LOG.warnf("The HTTPS server uses the TLS engine %s: neither the connection limit nor the request header"
                    + " and body timeouts are applied", engine.getClass().getSimpleName());
            return;
        }
        JdkSSLEngineOptions jdk = engine == null ? new JdkSSLEngineOptions() : (JdkSSLEngineOptions) engine;
        tlsEngine.fallback().ifPresent(LOG::warn);
        LOG.infof("HTTPS port: TLS by %s", tlsEngine.describe());
        // BoringSSL encrypts into direct buffers, which Vert.x pools already: only the JDK's engine needs the pool.
        boolean poolRecords = tlsEngine.engine() == TlsEngine.JDK;
        options.setSslEngineOptions(new HandshakeHookEngineOptions(jdk, tlsEngine.engine(), (channel, tls) -> {
            if (limit.admit(channel)) {
                if (poolRecords) {
                    channel.config().setAllocator(new TlsRecordBuffers(channel.config().getAllocator()));
                }
                RequestDeadlines.attach(channel, tls, timeouts, phase -> missed.get(phase).increment());
            }
        }));
    }
}
