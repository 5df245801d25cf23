package io.proberewriter.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/** What the webhook tests share: the HTTPS client, pods to send, and the management endpoints. */
abstract class WebhookTestBase {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    /** The management root, {@code http://host:port/q/}; paths below are relative to it. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    WebhookClient client() {
        return new WebhookClient(URI.create(mutate.toString()));
    }

    static ObjectNode pod(String name, int port) {
        ObjectNode pod = Reviews.JSON.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", name);
        ObjectNode container = pod.putObject("spec").putArray("containers").addObject();
        container.put("name", "app");
        container.put("image", "example/app:1.0");
        ObjectNode get = container.putObject("livenessProbe").putObject("httpGet");
        get.put("path", "/healthz");
        get.put("port", port);
        return pod;
    }

    /**
     * {@link #pod} with its container given environment variables until they are at least {@code bytes} of JSON. The
     * size is counted as entries are added: measuring the whole list after each one took some 20 seconds for 1 MiB.
     */
    static ObjectNode podWithEnvOfAtLeast(String name, int port, int bytes) {
        ObjectNode pod = pod(name, port);
        ArrayNode env = ((ObjectNode) pod.at("/spec/containers/0")).putArray("env");
        long written = 2; // the brackets
        for (int i = 0; written < bytes; i++) {
            ObjectNode variable = env.addObject().put("name", "VARIABLE_" + i).put("value", "x".repeat(100));
            written += variable.toString().length() + (i > 0 ? 1 : 0);
        }
        return pod;
    }

    HttpResponse<String> managementGet(String path) throws Exception {
        // HTTP/1.1 as the kubelet and Prometheus speak it: the JDK client's default h2c upgrade on a plain connection
        // now and then ends in "EOF reached while reading" on a loaded machine, a failure of the upgrade, not of ours.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return http.send(HttpRequest.newBuilder(URI.create(management.toString()).resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one Prometheus series, 0 when it is not exported yet. */
    double metric(String series) throws Exception {
        String text = managementGet("metrics").body();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }

    static String outcome(JsonNode response) {
        return response.path("auditAnnotations").path("outcome").asText();
    }

    /** A raw TLS connection to the webhook's port, its handshake done: for what a client library would hide. */
    SSLSocket connect() throws Exception {
        SSLSocket socket = (SSLSocket) WebhookClient.sslContext().getSocketFactory()
                .createSocket(mutate.getHost(), mutate.getPort());
        socket.startHandshake();
        return socket;
    }

    static void send(SSLSocket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Whether the server has closed the connection: the end of the stream, or a reset. Anything it sends first is
     * read and dropped. Waits at most a moment, so that {@link Eventually} decides how long to keep asking.
     */
    static boolean closedByServer(SSLSocket socket) {
        try {
            socket.setSoTimeout(200);
            return socket.getInputStream().read(new byte[4096]) < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException closed) {
            return true;
        }
    }

    /** Reads one response: its status, its headers, and its body by Content-Length. */
    static int readStatus(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.split(" ")[1]);
    }
}
