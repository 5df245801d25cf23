package io.proberewriter.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.OpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.proberewriter.config.TlsEngine;
import io.vertx.core.net.JdkSSLEngineOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook's server TLS context, made without Netty's {@code JdkSslServerContext}: the same context for the same
 * settings, and no BouncyCastle loaded for it; or BoringSSL's, with the same settings. The last test also shows that
 * Netty's own way does load it, so that the day a Netty release drops the probe, this test says the workaround can go.
 */
class ServerSslContextsTest {

    private static final String PASSWORD = "changeit";
    private static final Set<String> CIPHERS = new LinkedHashSet<>(List.of("TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));

    @TempDir
    static Path folder;
    private static Path keyStore;

    @BeforeAll
    static void keyStore() throws Exception {
        keyStore = folder.resolve("server.p12");
        run(List.of(tool("keytool"), "-genkeypair", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD, "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-validity", "2"));
    }

    @Test
    void onlyTheShippedServerSettingsAreMadeHere() {
        KeyManagerFactory keys = keys(keyStore);
        assertTrue(ServerSslContexts.handles(false, keys, null, CIPHERS, false, null, null), "the shipped settings");
        assertTrue(ServerSslContexts.handles(false, keys, null, CIPHERS, true, List.of(), ClientAuth.NONE),
                "ALPN asked for with no protocol");
        assertFalse(ServerSslContexts.handles(true, keys, null, CIPHERS, false, null, null), "a client");
        assertFalse(ServerSslContexts.handles(false, null, null, CIPHERS, false, null, null), "no key manager");
        assertFalse(ServerSslContexts.handles(false, keys, trust(), CIPHERS, false, null, null), "a trust manager");
        assertFalse(ServerSslContexts.handles(false, keys, null, Set.of(), false, null, null),
                "no cipher suites: Vert.x's defaults");
        assertFalse(ServerSslContexts.handles(false, keys, null, CIPHERS, true, List.of("h2"), null), "ALPN");
        assertFalse(ServerSslContexts.handles(false, keys, null, CIPHERS, false, null, ClientAuth.REQUIRE),
                "client authentication");
    }

    @Test
    void theContextIsAServerWithTheGivenCipherSuitesThatCompletesAHandshake() throws Exception {
        SslContext context = ServerSslContexts.create(keys(keyStore), CIPHERS, TlsEngine.JDK);

        assertTrue(context.isServer());
        assertEquals(List.copyOf(CIPHERS), context.cipherSuites(), "in the order given");
        assertEquals(List.of(), context.applicationProtocolNegotiator().protocols(), "no ALPN");
        SSLEngine server = context.newEngine(ByteBufAllocator.DEFAULT);
        assertFalse(server.getUseClientMode());
        assertFalse(server.getNeedClientAuth() || server.getWantClientAuth());

        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, trust().getTrustManagers(), null);
        SSLEngine client = trusting.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        SSLSession agreed = handshake(client, server);
        assertEquals("TLSv1.3", agreed.getProtocol());
        assertEquals("TLS_AES_256_GCM_SHA384", agreed.getCipherSuite(), "the server's order");
    }

    @Test
    void boringSslMakesTheContextWithTheSameSettingsAndCompletesHandshakesOfBothVersions() throws Exception {
        SslContext context = ServerSslContexts.create(keys(keyStore), CIPHERS, TlsEngine.OPENSSL);

        assertTrue(context instanceof OpenSslContext, "BoringSSL's context, not the JDK's: " + context.getClass());
        assertTrue(context.isServer());
        assertEquals(List.of(), context.applicationProtocolNegotiator().protocols(), "no ALPN");
        SSLEngine server = context.newEngine(ByteBufAllocator.DEFAULT);
        assertTrue(server instanceof OpenSslEngine, server.getClass().getName());
        assertFalse(server.getUseClientMode());
        assertFalse(server.getNeedClientAuth() || server.getWantClientAuth());
        SSLSession tls13 = handshake(trustingClient("TLSv1.3", null), server);
        assertEquals("TLSv1.3", tls13.getProtocol());
        assertTrue(tls13.getCipherSuite().matches("TLS_AES_(128|256)_GCM_SHA(256|384)"), tls13.getCipherSuite());

        SSLSession tls12 = handshake(trustingClient("TLSv1.2", null), context.newEngine(ByteBufAllocator.DEFAULT));
        assertEquals("TLSv1.2", tls12.getProtocol());
        assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", tls12.getCipherSuite(), "the one TLS 1.2 suite given");
        SSLEngine cbcOnly = trustingClient("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        assertThrows(SSLException.class, () -> handshake(cbcOnly, context.newEngine(ByteBufAllocator.DEFAULT)),
                "a client that offers only a TLS 1.2 suite that is not in the list is refused");
    }

    @Test
    void theEngineOptionsVertxUsesMakeTheContextOfTheEngineChosen() throws Exception {
        // What HttpsConnections installs: Vert.x asks these options' factory for the server's context.
        for (TlsEngine engine : TlsEngine.values()) {
            SslContext context = new HandshakeHookEngineOptions(new JdkSSLEngineOptions(), engine, (channel, tls) -> {
            }).sslContextFactory().forClient(false).keyMananagerFactory(keys(keyStore)).enabledCipherSuites(CIPHERS)
                    .create();
            SSLEngine server = context.newEngine(ByteBufAllocator.DEFAULT);
            assertEquals(engine == TlsEngine.OPENSSL, server instanceof OpenSslEngine, engine + ": "
                    + server.getClass().getName());
        }
    }

    @Test
    void openSslLoadsOnThisMachineAndTheFallbackSaysWhyAndWhatToDo() {
        // The image's platforms (Linux on x86-64 and arm64) are bundled; CI runs on one of them.
        assertEquals(new TlsEngineChoice(TlsEngine.OPENSSL, Optional.empty()),
                TlsEngineChoice.of(TlsEngine.OPENSSL), "netty-tcnative's BoringSSL did not load here");
        assertEquals(new TlsEngineChoice(TlsEngine.JDK, Optional.empty()), TlsEngineChoice.of(TlsEngine.JDK),
                "the JDK's engine when asked for, without a word");
        TlsEngineChoice fallback = TlsEngineChoice.ofOpenSsl(false,
                new UnsatisfiedLinkError("no netty_tcnative_osx_aarch_64 in java.library.path"));
        assertEquals(TlsEngine.JDK, fallback.engine());
        String warning = fallback.fallback().orElseThrow();
        assertTrue(warning.contains("probe-rewriter.webhook.tls-engine=openssl")
                && warning.contains("UnsatisfiedLinkError: no netty_tcnative_osx_aarch_64")
                && warning.contains("-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2") && warning.contains("tls-engine=jdk"), warning);
        assertTrue(TlsEngineChoice.ofOpenSsl(false, null).fallback().orElseThrow().contains("no reason given"));
    }

    /** A JDK client engine that trusts the test's certificate, limited to one protocol and, if given, one suite. */
    private static SSLEngine trustingClient(String protocol, String suite) throws Exception {
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, trust().getTrustManagers(), null);
        SSLEngine client = trusting.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {protocol});
        if (suite != null) {
            client.setEnabledCipherSuites(new String[] {suite});
        }
        return client;
    }

    @Test
    void bouncyCastleIsLoadedByNettysServerContextAndNotByOurs() throws Exception {
        assertFalse(classesLoadedBy("ours").contains("org.bouncycastle."),
                "the webhook's server context loads no BouncyCastle class");
        assertTrue(classesLoadedBy("netty").contains("org.bouncycastle.jce.provider.BouncyCastleProvider"),
                "Netty's JdkSslServerContext instantiates BouncyCastle's provider: if it no longer does, "
                        + "ServerSslContexts can go");
    }

    /** The class-loading log of a fresh JVM that makes one server context, one way or the other. */
    private static String classesLoadedBy(String way) throws Exception {
        return run(List.of(tool("java"), "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"),
                OneServerContext.class.getName(), keyStore.toString(), way));
    }

    /** Makes one server context and one engine from it, then exits. */
    public static final class OneServerContext {
        public static void main(String[] args) throws Exception {
            KeyManagerFactory keys = keys(Path.of(args[0]));
            SslContext context = "ours".equals(args[1]) ? ServerSslContexts.create(keys, CIPHERS, TlsEngine.JDK)
                    : io.netty.handler.ssl.SslContextBuilder.forServer(keys)
                            .sslProvider(io.netty.handler.ssl.SslProvider.JDK).ciphers(CIPHERS).build();
            context.newEngine(ByteBufAllocator.DEFAULT);
        }
    }

    private static KeyManagerFactory keys(Path store) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, PASSWORD.toCharArray());
            return keys;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrustManagerFactory trust() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return trust;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a TLS handshake between two engines in memory and returns the client's session. */
    private static SSLSession handshake(SSLEngine client, SSLEngine server) throws Exception {
        int size = 4 * Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(size);
        ByteBuffer toClient = ByteBuffer.allocate(size);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 20; round++) {
            if (done(client) && done(server)) {
                return client.getSession();
            }
            step(client, toServer, toClient);
            step(server, toClient, toServer);
            if (done(client) && !done(server) && toServer.position() == 0) {
                // BoringSSL's engine finds its handshake complete on the call after the one that read the client's
                // Finished, and reports it wants to read until then: a call with nothing to send lets it see it.
                server.wrap(ByteBuffer.allocate(0), toClient);
                runTasks(server);
            }
        }
        throw new AssertionError("no handshake after 20 rounds: client " + client.getHandshakeStatus()
                + ", server " + server.getHandshakeStatus());
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /** One turn of an engine: write all it has to send into {@code out}, then read all that waits in {@code in}. */
    private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in) throws Exception {
        ByteBuffer sink = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
            runTasks(engine);
            if (result.bytesProduced() == 0) {
                break;
            }
        }
        in.flip();
        while (in.hasRemaining()) {
            SSLEngineResult result = engine.unwrap(in, sink);
            runTasks(engine);
            sink.clear();
            if (result.bytesConsumed() == 0) {
                break;
            }
        }
        in.compact();
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running: " + command);
        assertEquals(0, process.exitValue(), command.get(0) + " " + command.get(command.size() - 1) + " said:\n"
                + out.substring(Math.max(0, out.length() - 4000)));
        return out;
    }
}
