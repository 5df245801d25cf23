package io.proberewriter.transport;

import io.netty.handler.ssl.OpenSsl;
import io.proberewriter.config.TlsEngine;
import java.util.Optional;

/**
 * The TLS engine the HTTPS port uses for the one configured: that one, or the JDK's when OpenSSL cannot be loaded
 * here (another CPU or C library than the bundled ones), with a warning that says why and what to do.
 *
 * @param engine   the engine in use
 * @param fallback why it is not the one configured, if it is not; the caller logs it
 */
record TlsEngineChoice(TlsEngine engine, Optional<String> fallback) {

    static TlsEngineChoice of(TlsEngine configured) {
        if (configured == TlsEngine.JDK) {
            return new TlsEngineChoice(TlsEngine.JDK, Optional.empty());
        }
        return ofOpenSsl(OpenSsl.isAvailable(), OpenSsl.unavailabilityCause());
    }

    /** The choice for OpenSSL given whether it loaded, and why not; apart from {@link #of} for tests. */
    static TlsEngineChoice ofOpenSsl(boolean available, Throwable whyNot) {
        if (available) {
            return new TlsEngineChoice(TlsEngine.OPENSSL, Optional.empty());
        }
        String cause = whyNot == null ? "no reason given"
                : whyNot.getClass().getSimpleName() + ": " + whyNot.getMessage();
        return new TlsEngineChoice(TlsEngine.JDK, Optional.of("probe-rewriter.webhook.tls-engine=openssl, but OpenSSL"
                + " (netty-tcnative) cannot be loaded on this platform (" + cause + "): the HTTPS port uses the JDK's"
                + " TLS engine. Give the JVM both JIT compilers (-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2 at the"
                + " end of JAVA_OPTS_APPEND), or the JDK's AES-GCM stays slow; set"
                + " probe-rewriter.webhook.tls-engine=jdk to choose it without this warning"));
    }

    /** What the startup log says of it. */
    String describe() {
        return engine == TlsEngine.OPENSSL ? OpenSsl.versionString() : "the JDK";
    }
}
