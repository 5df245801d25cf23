package io.proberewriter.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose certificate can be replaced while the server runs: each TLS handshake asks it for the
 * certificate, so a swap takes effect on the next connection and no connection ever sees a half-updated state.
 * This is how cert-manager's webhook serves renewed certificates (a callback per handshake), and it avoids
 * rebuilding the server's SSL context, which Vert.x 4.5 cannot do without failing connections accepted during
 * the rebuild.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private final AtomicReference<X509ExtendedKeyManager> current;

    ReloadingKeyManager(X509ExtendedKeyManager initial) {
        this.current = new AtomicReference<>(initial);
    }

    void swap(X509ExtendedKeyManager next) {
        current.set(next);
    }

    X509ExtendedKeyManager current() {
        return current.get();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return current.get().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return current.get().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return current.get().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.get().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return current.get().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return current.get().chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return current.get().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return current.get().getPrivateKey(alias);
    }
}
