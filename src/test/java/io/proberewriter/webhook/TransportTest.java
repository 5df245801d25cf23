package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.config.TlsEngine;
import io.proberewriter.transport.HttpsConnections;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS port: TLS 1.2 or newer, HTTP/1.1 only, and no plaintext listener; bodies read whole, whether framed by
 * their length or chunked, on either side of the size up to which they are answered on the event loop.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ServingCertificates.class)
class TransportTest extends WebhookTestBase {

    @Inject
    HttpsConnections connections;

    @Test
    void theHttpsPortIsEncryptedByBoringSslByDefault() {
        // ServerSslContextsTest shows that this choice makes BoringSSL's context; every test here goes through it.
        assertEquals(TlsEngine.OPENSSL, connections.tlsEngine());
    }

    @Test
    void tls12AndTls13AreAcceptedAndHttp2IsNotOffered() throws Exception {
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {protocol});
            HttpClient http = HttpClient.newBuilder().sslContext(trustingContext()).sslParameters(parameters)
                    .version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(mutate.toString()))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, response.statusCode());
            assertEquals(protocol, response.sslSession().orElseThrow().getProtocol());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "HTTP/2 must not be negotiated");
        }
    }

    /**
     * Up to {@link MutateRoute#LARGEST_INLINE_BODY} bytes an admission is answered on the event loop, above it on a
     * worker: a pod on either side of that line, sent with a declared length and chunked, gets the same rewrite.
     */
    @Test
    void podsOnEitherSideOfTheInlineLimitAreRewrittenAlikeWhetherChunkedOrNot() throws Exception {
        JsonNode expected = null;
        for (int size : new int[] {MutateRoute.LARGEST_INLINE_BODY - 4096, MutateRoute.LARGEST_INLINE_BODY + 4096}) {
            ObjectNode pod = pod("p", 8080);
            ((ObjectNode) pod.get("metadata")).putObject("annotations").put("padding", "");
            byte[] body = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);
            ((ObjectNode) pod.at("/metadata/annotations")).put("padding", "x".repeat(size - body.length));
            byte[] sized = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);
            assertEquals(size, sized.length, "the padded review's size");
            for (boolean chunked : new boolean[] {false, true}) {
                HttpRequest.BodyPublisher publisher = chunked
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(sized))
                        : HttpRequest.BodyPublishers.ofByteArray(sized);
                HttpResponse<byte[]> http = client().send(HttpRequest.newBuilder(URI.create(mutate.toString()))
                        .header("Content-Type", "application/json").POST(publisher).build());
                String which = size + " bytes" + (chunked ? ", chunked" : "");
                assertEquals(200, http.statusCode(), which);
                JsonNode patched = Reviews.applied(pod, Reviews.response(http));
                assertTrue(patched.at("/spec/containers/0/livenessProbe").has("exec"), which + ": " + patched);
                ((ObjectNode) patched.at("/metadata/annotations")).remove("padding");
                if (expected == null) {
                    expected = patched;
                }
                assertEquals(expected, patched, which);
            }
        }
    }

    @Test
    void olderProtocolsAreRefused() throws Exception {
        // The JDK's own client cannot offer TLS 1.1 any more, so ask OpenSSL (installed by .ci/run).
        org.junit.jupiter.api.Assumptions.assumeTrue(opensslAvailable(), "openssl is not installed");
        // OpenSSL names the protocol it asked for either way; whether a cipher was agreed tells the outcome.
        String refused = openssl("-tls1_1");
        assertTrue(refused.contains("Cipher is (NONE)") && refused.contains("no peer certificate available"),
                "TLS 1.1 was accepted:\n" + refused);
        String accepted = openssl("-tls1_2");
        assertTrue(accepted.contains("TLSv1.2") && !accepted.contains("Cipher is (NONE)"),
                "TLS 1.2 was refused:\n" + accepted);
        assertTrue(accepted.contains("CN = " + ServingCertificates.FIRST_CN)
                || accepted.contains("CN=" + ServingCertificates.FIRST_CN), accepted);
    }

    /**
     * Every TLS 1.2 suite OpenSSL knows is offered alone: the server agrees only to an ephemeral ECDH key exchange
     * with an AEAD cipher — never CBC, never the static-RSA key exchange the test certificate's RSA key would allow,
     * never finite-field DHE.
     */
    @Test
    void tls12AgreesOnlyToEcdheWithAeadCiphers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(opensslAvailable(), "openssl is not installed");
        Process list = new ProcessBuilder("openssl", "ciphers", "-s", "-tls1_2", "ALL:@SECLEVEL=0").start();
        String[] suites = new String(list.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .trim().split(":");
        assertTrue(list.waitFor() == 0 && suites.length > 40, "openssl listed too few suites: " + suites.length);
        java.util.SortedSet<String> agreed = new java.util.TreeSet<>();
        for (String suite : suites) {
            String out = openssl("-tls1_2", "-cipher", suite + ":@SECLEVEL=0");
            if (!out.contains("Cipher is (NONE)") && out.contains("Cipher is " + suite)) {
                agreed.add(suite);
            }
        }
        // The test certificate has an RSA key, so these are all the suites it can agree to.
        assertEquals(new java.util.TreeSet<>(Set.of("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-RSA-CHACHA20-POLY1305")), agreed, "TLS 1.2 suites the server agreed to");
    }

    /** A client that offers both versions, as the API server's does, gets TLS 1.3. */
    @Test
    void tls13IsChosenWhenOffered() throws Exception {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.2", "TLSv1.3"});
        HttpClient http = HttpClient.newBuilder().sslContext(trustingContext()).sslParameters(parameters)
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(mutate.toString()))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("TLSv1.3", response.sslSession().orElseThrow().getProtocol());
    }

    private static boolean opensslAvailable() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private String openssl(String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                mutate.getHost() + ":" + mutate.getPort(), "-servername", "localhost"));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "openssl did not finish");
        return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void thereIsNoPlaintextWebhookPort() throws Exception {
        // Plain HTTP to the HTTPS port is not answered as HTTP.
        try (Socket socket = new Socket(mutate.getHost(), mutate.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] buffer = new byte[16];
            int n = socket.getInputStream().read(buffer);
            String start = n <= 0 ? "" : new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(!start.startsWith("HTTP/"), "plain HTTP was answered: " + start);
        } catch (java.net.SocketException closed) {
            // Closed by the TLS layer: also no plaintext service.
        }
    }

    private static SSLContext trustingContext() throws Exception {
        return WebhookClient.sslContext();
    }
}
