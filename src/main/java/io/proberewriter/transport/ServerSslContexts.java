package io.proberewriter.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.proberewriter.config.TlsEngine;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The webhook's server TLS context, made as Netty's {@code SslContextBuilder} would make it for Vert.x, without going
 * through Netty's {@code JdkSslServerContext}. That class's static initializer checks, once per process, whether a
 * trust manager can be wrapped, by reading a built-in test key through {@code SslContext.toPrivateKey}; which asks
 * whether BouncyCastle can read PEM, and so instantiates BouncyCastle's provider whenever its jars are on the class
 * path — they are, for the operator's certificate issuance. That is some 450 classes and half a second on the
 * webhook's first handshake, for a check about trust managers the webhook never has (it asks no client
 * certificate).
 *
 * <p>With {@link TlsEngine#OPENSSL} the context is BoringSSL's, made by Netty's builder (its OpenSSL context has
 * no such check).
 *
 * <p>Only the configuration the webhook ships is made here: a server, a key manager, the TLS registry's cipher
 * suites, no trust manager, no client authentication, no ALPN. Anything else is left to Vert.x's own factory
 * ({@link #handles}). Everything the TLS registry sets still applies: the key manager and the cipher suites here,
 * the protocols in Vert.x's wrapper around every engine.
 */
final class ServerSslContexts {

    /** What Netty's builder also asks the JDK for: its TLS context, every version the JDK enables. */
    private static final String PROTOCOL = "TLS";

    private ServerSslContexts() {
    }

    /** Whether {@link #create} makes the context these settings describe; otherwise Vert.x's factory does. */
    static boolean handles(boolean forClient, KeyManagerFactory keys, TrustManagerFactory trust, Set<String> ciphers,
                           boolean useAlpn, List<String> applicationProtocols, ClientAuth clientAuth) {
        return !forClient && keys != null && trust == null && ciphers != null && !ciphers.isEmpty()
                && (!useAlpn || applicationProtocols == null || applicationProtocols.isEmpty())
                && (clientAuth == null || clientAuth == ClientAuth.NONE);
    }

    /**
     * The server context for {@code engine}: BoringSSL's ({@link #openSsl}), or one with the JDK's TLS provider, as
     * {@code JdkSslServerContext} makes it from the same settings: the key managers, no trust managers, the default
     * session cache, the cipher suites as given (Netty's identity filter, the builder's default), no ALPN.
     */
    static SslContext create(KeyManagerFactory keys, Set<String> ciphers, TlsEngine engine) throws SSLException {
        if (engine == TlsEngine.OPENSSL) {
            return openSsl(keys, ciphers);
        }
        SSLContext context;
        try {
            context = SSLContext.getInstance(PROTOCOL);
            context.init(keys.getKeyManagers(), null, null);
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot make the server's TLS context: " + e.getMessage(), e);
        }
        return new JdkSslContext(context, false, ciphers, IdentityCipherSuiteFilter.INSTANCE, null, ClientAuth.NONE,
                null, false);
    }

    /**
     * BoringSSL's context with the same settings. The key manager is asked for the key and chain at every handshake,
     * as the JDK's engine asks it: it is the reloading one of the tls package, whose certificate changes under the
     * same instance when it is renewed, so Netty's caching wrapper would serve the old one for good. Handshakes are
     * rare (the API server keeps its connections), so the conversion is not worth caching. TLS 1.3's cipher suites are
     * BoringSSL's own three (AES-GCM and ChaCha20-Poly1305, all AEAD): BoringSSL does not let them be chosen, and
     * Netty passes it only the TLS 1.2 ones of the list.
     */
    private static SslContext openSsl(KeyManagerFactory keys, Set<String> ciphers) throws SSLException {
        return SslContextBuilder.forServer(keys)
                .sslProvider(SslProvider.OPENSSL)
                .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE)
                .clientAuth(ClientAuth.NONE)
                .build();
    }
}
