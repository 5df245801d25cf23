package io.proberewriter.transport;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.proberewriter.config.TlsEngine;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Vert.x's JDK TLS engine that also tells a {@link HandshakeListener} of each server connection whose TLS handshake
 * completes. Neither Vert.x nor Quarkus offers another hook on every new HTTPS connection (Quarkus keeps the server's
 * connection handler to itself), and the engine factory is the one Vert.x option that meets each connection: every
 * setting of the TLS registry (protocols, cipher suites, key manager) still applies as it is. The server's context
 * itself is made by {@link ServerSslContexts}, from the same settings, which says why, with the JDK's engine or
 * BoringSSL's ({@link TlsEngine}): to Vert.x these options stay the JDK's, so that it configures every engine the way
 * it always does (protocols, in its wrapper), and only the context differs.
 */
final class HandshakeHookEngineOptions extends JdkSSLEngineOptions {

    /** What is done with a connection whose handshake has just completed, on its event loop. */
    @FunctionalInterface
    interface HandshakeListener {
        /** @param tls the connection's TLS handler, behind which the decrypted bytes arrive */
        void handshaken(Channel channel, SslHandler tls);
    }

    private final TlsEngine engine;
    private final HandshakeListener listener;

    HandshakeHookEngineOptions(JdkSSLEngineOptions base, TlsEngine engine, HandshakeListener listener) {
        super(base);
        this.engine = engine;
        this.listener = listener;
    }

    /** Vert.x copies the server's options before using them: the copy must keep the engine and the listener. */
    @Override
    public HandshakeHookEngineOptions copy() {
        return new HandshakeHookEngineOptions(this, engine, listener);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new WatchingFactory(super.sslContextFactory());
    }

    /**
     * Passes every setting to Vert.x's own factory and wraps the context it makes; the webhook's own server context
     * is made by {@link ServerSslContexts}, which says why.
     */
    private final class WatchingFactory implements SslContextFactory {

        private final SslContextFactory jdk;
        private boolean useAlpn;
        private ClientAuth clientAuth;
        private boolean forClient;
        private KeyManagerFactory keys;
        private TrustManagerFactory trust;
        private Set<String> cipherSuites;
        private List<String> applicationProtocols;

        WatchingFactory(SslContextFactory jdk) {
            this.jdk = jdk;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            jdk.useAlpn(useAlpn);
            this.useAlpn = useAlpn;
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            jdk.clientAuth(clientAuth);
            this.clientAuth = clientAuth;
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            jdk.forClient(forClient);
            this.forClient = forClient;
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory factory) {
            jdk.keyMananagerFactory(factory);
            this.keys = factory;
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory factory) {
            jdk.trustManagerFactory(factory);
            this.trust = factory;
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
            jdk.enabledCipherSuites(cipherSuites);
            this.cipherSuites = cipherSuites;
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> protocols) {
            jdk.applicationProtocols(protocols);
            this.applicationProtocols = protocols;
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            jdk.serverName(serverName);
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            boolean ours = ServerSslContexts.handles(forClient, keys, trust, cipherSuites, useAlpn,
                    applicationProtocols, clientAuth);
            return new WatchingContext(ours ? ServerSslContexts.create(keys, cipherSuites, engine) : jdk.create());
        }
    }

    /** The server's context; each server TLS handler it makes tells the listener when its handshake succeeds. */
    private final class WatchingContext extends DelegatingSslContext {

        WatchingContext(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            // Nothing of ours: Vert.x configures the engine (protocols, server name) in its own wrapper.
        }

        @Override
        protected void initHandler(SslHandler handler) {
            super.initHandler(handler);
            if (isClient()) {
                return;
            }
            handler.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    listener.handshaken((Channel) handshake.getNow(), handler);
                }
            });
        }
    }
}
