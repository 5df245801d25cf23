package io.proberewriter.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.Pkcs12CertificateFiles;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seeds' failure, reproduced with real sockets: a sidecar on the pod IP demands a mesh client certificate
 * in front of the app's port, while the app answers on loopback. The kubelet's plaintext probe is refused (the
 * CrashLoopBackOff of the seeds); the rewritten probes pass; and when the app is unhealthy or down, every
 * rewritten probe fails — no rewrite may report a dead app as healthy.
 */
class SeedFailureTest {

    /** A second loopback address standing in for the pod IP; the app itself listens on 127.0.0.1. */
    static final String POD_IP = "127.0.0.2";
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path certificates;
    static Pkcs12CertificateFiles mesh;

    private PodApp app;
    private MtlsSidecar sidecar;
    private final KubeletProber kubelet = new KubeletProber();

    @BeforeAll
    static void meshCertificates() throws Exception {
        mesh = (Pkcs12CertificateFiles) new CertificateGenerator(certificates, true).generate(new CertificateRequest()
                .withName("mesh").withCN("localhost").withFormat(Format.PKCS12).withPassword(new String(PASSWORD))
                .withClientCertificate()).get(0);
    }

    @BeforeEach
    void startPod() throws Exception {
        app = new PodApp(InetAddress.getByName(POD_IP));
        sidecar = new MtlsSidecar(InetAddress.getByName(POD_IP), app.trafficPort(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), app.trafficPort()),
                keyStore(mesh.keyStoreFile()), PASSWORD, keyStore(mesh.serverTrustStoreFile()));
    }

    @AfterEach
    void stopPod() throws Exception {
        sidecar.close();
        app.close();
    }

    private Probe original() {
        return new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(app.trafficPort()))
                .endHttpGet().withTimeoutSeconds(5).build();
    }

    @Test
    void theKubeletsPlaintextProbeIsRefusedWhileAMeshClientGetsThrough() throws Exception {
        KubeletProber.Verdict verdict = kubelet.probe(original(), POD_IP);
        assertFalse(verdict.success(), "the sidecar must refuse the kubelet: " + verdict.detail());
        // The same port works for a client with a mesh certificate: the refusal is mTLS, not a broken app.
        assertEquals(200, statusThroughSidecarWithMeshCertificate());
    }

    @Test
    void aTlsClientWithoutAMeshCertificateIsRefusedToo() throws Exception {
        // Not merely plaintext against TLS: TLS itself fails without a client certificate from the mesh CA.
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore(mesh.trustStoreFile()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(POD_IP, app.trafficPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            int read = socket.getInputStream().read();
            assertEquals(-1, read, "the sidecar answered a client without a mesh certificate");
        } catch (java.io.IOException refused) {
            // The handshake or the first read fails: refused, as the kubelet is.
        }
    }

    @ParameterizedTest
    @EnumSource(ExecFlavour.class)
    void theExecRewrittenProbePassesFromInsideThePod(ExecFlavour flavour) {
        Probe rewritten = flavour == ExecFlavour.PROBER
                ? ProberCommand.execProbe(original(), ProberBinary.require().toString())
                : flavour.adapt(rewrite(original(), Map.of(Annotations.EXEC_COMMAND, flavour.style.value())));
        assertTrue(rewritten.getExec() != null, "exec mode must produce an exec probe");
        KubeletProber.Verdict verdict = kubelet.probe(rewritten, POD_IP);
        assertTrue(verdict.success(), flavour + ": " + verdict.detail());
    }

    @Test
    void portModeProbesThePlaintextHealthPortWhileTheMtlsPortStillRefuses() {
        Probe rewritten = rewrite(original(), Map.of(Annotations.MODE, "port",
                Annotations.HEALTH_PORT, Integer.toString(app.healthPort())));
        assertEquals(app.healthPort(), rewritten.getHttpGet().getPort().getIntVal());
        assertTrue(kubelet.probe(rewritten, POD_IP).success(), "the health port must answer the kubelet");
        assertFalse(kubelet.probe(original(), POD_IP).success(), "the mTLS port must still refuse plaintext");
    }

    @Test
    void anUnhealthyAppFailsEveryRewrittenProbe() {
        Probe curl = rewrite(original(), Map.of(Annotations.EXEC_COMMAND, "curl"));
        Probe wget = rewrite(original(), Map.of(Annotations.EXEC_COMMAND, "wget"));
        Probe busybox = ExecFlavour.BUSYBOX_WGET.adapt(wget);
        Probe port = rewrite(original(), Map.of(Annotations.MODE, "port",
                Annotations.HEALTH_PORT, Integer.toString(app.healthPort())));
        List<Probe> probes = new ArrayList<>(List.of(curl, wget, busybox, port));
        if (FidelityMatrixTest.runs(ExecFlavour.PROBER)) {
            probes.add(ProberCommand.execProbe(original(), ProberBinary.require().toString()));
        }
        for (Probe probe : probes) {
            assertTrue(kubelet.probe(probe, POD_IP).success(), "healthy first: " + probe);
        }
        app.healthy(false);
        for (Probe probe : probes) {
            KubeletProber.Verdict verdict = kubelet.probe(probe, POD_IP);
            assertFalse(verdict.success(), "a 500 must fail " + probe + ": " + verdict.detail());
        }
        app.stopTraffic();
        for (Probe probe : probes) {
            KubeletProber.Verdict verdict = kubelet.probe(probe, POD_IP);
            assertFalse(verdict.success(), "a dead app must fail " + probe + ": " + verdict.detail());
        }
    }

    /**
     * Why {@code tcpSocket} probes behind a sidecar need the prober: the kubelet's connection to the pod IP is
     * accepted by the sidecar whether the app is there or not, so a dead app passes; the prober connects to the app
     * over loopback inside the pod and fails when it is gone.
     */
    @Test
    void aTcpProbeThroughTheSidecarPassesForADeadAppWhereTheProberFails() {
        String prober = ProberBinary.require().toString();
        Probe tcp = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(app.trafficPort())).endTcpSocket()
                .withTimeoutSeconds(5).build();
        Probe proberTcp = ProberCommand.execProbe(tcp, prober);
        assertTrue(kubelet.probe(tcp, POD_IP).success(), "the sidecar accepts the kubelet's connection");
        assertTrue(kubelet.probe(proberTcp, POD_IP).success(), "the app is up: the prober connects");
        app.stopTraffic();
        assertTrue(kubelet.probe(tcp, POD_IP).success(),
                "the kubelet's TCP probe still passes: the sidecar, not the app, accepts it");
        KubeletProber.Verdict verdict = kubelet.probe(proberTcp, POD_IP);
        assertFalse(verdict.success(), "the prober must see the app gone: " + verdict.detail());
    }

    /**
     * An {@code httpGet} preStop hook meets the same wall: the kubelet sends it to the pod IP without a mesh
     * certificate, so it never reaches the app. The prober's exec hook reaches the app over loopback; it succeeds
     * on any answer, a 500 too, as the kubelet's hook does, and fails once the app is gone.
     */
    @Test
    void aPreStopHookThroughTheSidecarFailsWhereTheProbersHookReachesTheApp() {
        String prober = ProberBinary.require().toString();
        LifecycleHandler preStop = new LifecycleHandlerBuilder().withNewHttpGet()
                .withPort(new IntOrString(app.trafficPort())).withPath("/healthz").endHttpGet().build();
        LifecycleHandler proberHook = ProberCommand.execHook(preStop, prober);
        Duration grace = Duration.ofSeconds(30);
        KubeletProber.Verdict original = kubelet.hook(preStop, POD_IP, grace);
        assertFalse(original.success(), "the sidecar refuses the kubelet's plaintext hook: " + original.detail());
        KubeletProber.Verdict verdict = kubelet.hook(proberHook, POD_IP, grace);
        assertTrue(verdict.success(), "the prober's hook reaches the app: " + verdict.detail());
        app.healthy(false);
        verdict = kubelet.hook(proberHook, POD_IP, grace);
        assertTrue(verdict.success(), "a 500 delivers a hook, for the kubelet and the prober: " + verdict.detail());
        app.stopTraffic();
        verdict = kubelet.hook(proberHook, POD_IP, grace);
        assertFalse(verdict.success(), "the app is gone: the hook cannot be delivered: " + verdict.detail());
    }

    /**
     * Runs the real engine on a pod holding {@code probe} as its liveness probe; returns the new probe. The pod
     * declares the health port it names, and its namespace allows it, as port mode requires.
     */
    private static Probe rewrite(Probe probe, Map<String, String> annotations) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName("app").withAnnotations(annotations)
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1.0")
                .withLivenessProbe(probe).endContainer().endSpec();
        String healthPort = annotations.get(Annotations.HEALTH_PORT);
        if (healthPort != null) {
            builder.editSpec().editFirstContainer().addNewPort().withContainerPort(Integer.parseInt(healthPort))
                    .endPort().endContainer().endSpec();
        }
        NamespaceContext namespace = new NamespaceContext("default", Map.of(),
                healthPort == null ? Map.of() : Map.of(Annotations.ALLOWED_HEALTH_PORTS, healthPort));
        RewriteResult result = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle())
                .rewrite(builder.build(), namespace);
        assertEquals(1, result.replacements().size(), result.decisions().toString());
        return result.replacements().get(0).probe();
    }

    private int statusThroughSidecarWithMeshCertificate() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(mesh.clientKeyStoreFile()), PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore(mesh.trustStoreFile()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(POD_IP, app.trafficPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static KeyStore keyStore(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        return store;
    }
}
