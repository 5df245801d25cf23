package io.proberewriter.config;

/**
 * Which TLS implementation encrypts the webhook's HTTPS port ({@code probe-rewriter.webhook.tls-engine}); the
 * transport resolves it to the one it can load (io.proberewriter.transport.TlsEngineChoice).
 *
 * <p>{@link #OPENSSL}, the default, is BoringSSL as netty-tcnative ships it, a static library for Linux on x86-64 and
 * arm64 inside the application's jars: the handshake and the records are encrypted by native code that needs no
 * warming up, so that the JVM can run the webhook with C1 alone (the Deployment's {@code -XX:TieredStopAtLevel=1}),
 * which takes about a quarter off its peak memory and 0.3-0.5 s off its start (docs/benchmarks.md, "TLS in
 * BoringSSL"). With the JDK's engine, C1 alone would not do: its AES-GCM runs in Java, and fast only once C2 has
 * compiled it with its intrinsics. {@link #JDK} keeps the JDK's engine, for a platform the native library does not
 * cover or a policy that requires the JDK's providers (FIPS).
 */
public enum TlsEngine {
    OPENSSL,
    JDK
}
