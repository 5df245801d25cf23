package io.proberewriter.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.proberewriter.certificates.CertificateIssuer;
import io.proberewriter.certificates.KeyPairWithCertificate;
import io.proberewriter.certificates.PemCodec;
import io.proberewriter.json.Mappers;
import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The image's class-data training run ({@code class-data-training}, run once by the Dockerfile with
 * {@code -XX:ArchiveClassesAtExit}): it serves as {@code serve} does, sends itself one admission over HTTPS and
 * asks its own management port what the kubelet asks, then exits, so that the JVM writes every class this loaded
 * (parsed, verified, linked) into an archive the image's entrypoint maps at every start.
 *
 * <p>Most of a start is loading and verifying some 8,000 classes; the archive makes that a memory mapping. The run
 * must be made by the very JVM that will use the archive, which is why it happens in the image's runtime stage and
 * not at {@code mvn package}. There is no cluster and no certificate at image build time, so the run reads no
 * namespaces and serves a throwaway certificate it issues itself (the operator's own issuer, the same key type as
 * the certificates the operator gives the webhook). Anything that goes wrong fails the run, and with it the image
 * build: an archive of a run that did not answer would be a silent loss.
 */
final class ClassDataTraining {

    /** The hidden command the Dockerfile runs; not offered in {@code --help}, since users never need it. */
    static final String COMMAND = "class-data-training";

    /** A Deployment-made pod with three HTTP probes, as the API server sends it: managed fields included. */
    static final String REVIEW_RESOURCE = "/class-data-training/admission-review.json";

    /** The whole run takes seconds; this only stops a run that will never answer from hanging the image build. */
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private final int port;
    private final int managementPort;
    private final KeyPairWithCertificate certificate;
    private final Path keyFile;

    private ClassDataTraining(int port, int managementPort, KeyPairWithCertificate certificate, Path keyFile) {
        this.port = port;
        this.managementPort = managementPort;
        this.certificate = certificate;
        this.keyFile = keyFile;
    }

    /**
     * Configures this JVM to serve on loopback with a throwaway certificate, and starts the client that sends the
     * training admission once the port answers and then stops the application. Returns the arguments to serve with.
     */
    static String[] prepare() {
        try {
            Instant now = Instant.now();
            CertificateIssuer issuer = new CertificateIssuer();
            KeyPairWithCertificate ca = issuer.newCertificateAuthority("class-data-training", now, Duration.ofHours(1));
            KeyPairWithCertificate serving = issuer.newServingCertificate(ca, List.of("localhost"), now,
                    Duration.ofHours(1));
            // The run happens in an image layer: nothing of it may stay there, least of all a private key. Whatever
            // the run writes to the temporary directory goes into a folder of its own (Vert.x's file cache too, which
            // left behind and owned by root would keep the image's user from making its own), deleted at exit.
            Path folder = Files.createTempDirectory("class-data-training");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(folder), "class-data-training-cleanup"));
            System.setProperty("java.io.tmpdir", folder.toString());
            Path cert = Files.writeString(folder.resolve("tls.crt"), PemCodec.encode(serving.certificate()));
            Path key = Files.writeString(folder.resolve("tls.key"), PemCodec.encode(serving.key()));
            ClassDataTraining training = new ClassDataTraining(freePort(), freePort(), ca, key);
            // System properties outrank the environment and application.properties.
            System.setProperty("probe-rewriter.tls.source", "files");
            System.setProperty("probe-rewriter.tls.cert-file", cert.toString());
            System.setProperty("probe-rewriter.tls.key-file", key.toString());
            System.setProperty("probe-rewriter.namespaces.watch", "false");
            System.setProperty("probe-rewriter.webhook.shutdown-delay", "0s");
            System.setProperty("quarkus.http.host", "127.0.0.1");
            System.setProperty("quarkus.http.ssl-port", String.valueOf(training.port));
            System.setProperty("quarkus.management.host", "127.0.0.1");
            System.setProperty("quarkus.management.port", String.valueOf(training.managementPort));
            Thread client = new Thread(training::run, "class-data-training");
            client.setDaemon(true);
            client.start();
            return new String[] {"serve"};
        } catch (IOException e) {
            throw new UncheckedIOException("class-data training: cannot write its certificate: " + e.getMessage(), e);
        }
    }

    private void run() {
        int exitCode = 1;
        try {
            byte[] answer = awaitAdmission();
            String problem = problemWith(answer);
            if (problem != null) {
                System.err.println("class-data training: the admission was not answered as expected: " + problem);
            } else {
                get("/q/health/ready");
                get("/q/metrics");
                System.out.println("class-data training: admission answered with a patch; exiting for the JVM to "
                        + "write its class archive");
                exitCode = 0;
            }
        } catch (Exception e) { // whatever it is, the run must end and say so, never hang the image build
            System.err.println("class-data training failed: " + e);
        }
        deleteKey();
        Quarkus.asyncExit(exitCode);
    }

    /** Posts the training review until the HTTPS port answers (it opens after startup) or the deadline passes. */
    private byte[] awaitAdmission() throws Exception {
        byte[] review;
        try (InputStream in = ClassDataTraining.class.getResourceAsStream(REVIEW_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(REVIEW_RESOURCE + " is missing from the application");
            }
            review = in.readAllBytes();
        }
        SSLContext tls = trusting(certificate);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try {
                HttpsURLConnection connection = (HttpsURLConnection) URI
                        .create("https://127.0.0.1:" + port + "/mutate").toURL().openConnection();
                connection.setSSLSocketFactory(tls.getSocketFactory());
                // The certificate names localhost; the address is the loopback one, not a name to resolve (which
                // could be ::1 first in some build environments). Trust comes from the throwaway CA alone.
                connection.setHostnameVerifier((host, session) -> "127.0.0.1".equals(host));
                connection.setConnectTimeout(5_000);
                connection.setReadTimeout(30_000);
                connection.setRequestMethod("POST");
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setDoOutput(true);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(review);
                }
                if (connection.getResponseCode() != 200) {
                    throw new IllegalStateException("POST /mutate answered HTTP " + connection.getResponseCode());
                }
                try (InputStream in = connection.getInputStream()) {
                    return in.readAllBytes();
                }
            } catch (ConnectException notYetListening) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the HTTPS port " + port + " did not open within " + DEADLINE);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The server has read the key by now: gone at once, the rest of the folder at exit. */
    private void deleteKey() {
        try {
            Files.deleteIfExists(keyFile);
        } catch (IOException e) {
            System.err.println("class-data training: cannot delete " + keyFile + " now (it goes at exit): " + e);
        }
    }

    /** At exit, once the application has stopped: every file the run left in its folder, then the folder. */
    static void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("class-data training: cannot delete " + folder + ": " + e);
        }
    }

    /** Null when the answer allows the pod with a JSONPatch, as the webhook answers the training pod. */
    static String problemWith(byte[] answer) throws IOException {
        JsonNode response = Mappers.TREES.readTree(answer).path("response");
        if (!"class-data-training".equals(response.path("uid").asText())) {
            return "the answer is for another request: " + response.path("uid");
        }
        if (!response.path("allowed").asBoolean(false)) {
            return "the pod was not allowed";
        }
        if (!"JSONPatch".equals(response.path("patchType").asText()) || response.path("patch").asText().isEmpty()) {
            return "no patch: " + response;
        }
        return null;
    }

    private void get(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI
                .create("http://127.0.0.1:" + managementPort + path).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        int status = connection.getResponseCode();
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        if (status != 200) {
            throw new IllegalStateException("GET " + path + " on the management port answered HTTP " + status);
        }
    }

    private static SSLContext trusting(KeyPairWithCertificate ca) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("class-data-training", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
