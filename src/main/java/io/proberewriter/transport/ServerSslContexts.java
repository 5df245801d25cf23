package io.proberewriter.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
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
     * A server context with the JDK's TLS provider, as {@code JdkSslServerContext} makes it from the same settings:
     * the key managers, no trust managers, the default session cache, the cipher suites as given (Netty's identity
     * filter, the builder's default), no ALPN.
     */
    static SslContext create(KeyManagerFactory keys, Set<String> ciphers) throws SSLException {
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
}
