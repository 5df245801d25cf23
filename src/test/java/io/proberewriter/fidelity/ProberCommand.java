package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import java.util.ArrayList;
import java.util.List;

/**
 * The exec probe that runs the prober in place of an {@code httpGet}, {@code tcpSocket} or {@code grpc} probe,
 * written down as docs/prober.md specifies the command line: this is the mapping the engine is to generate, and the
 * fidelity tests prove it keeps the kubelet's verdicts. Numeric ports only (the engine resolves named ports first),
 * and no {@code host} (probes that name a host are not rewritten).
 */
final class ProberCommand {

    private ProberCommand() {
    }

    static Probe execProbe(Probe original, String binary) {
        List<String> argv = new ArrayList<>(List.of(binary));
        if (original.getHttpGet() != null) {
            HTTPGetAction get = original.getHttpGet();
            argv.addAll(List.of("http", "--port", port(get.getPort().getIntVal())));
            if (get.getScheme() != null && !get.getScheme().isEmpty()) {
                argv.addAll(List.of("--scheme", get.getScheme()));
            }
            if (get.getPath() != null && !get.getPath().isEmpty()) {
                argv.addAll(List.of("--path", get.getPath()));
            }
            if (get.getHttpHeaders() != null) {
                for (HTTPHeader h : get.getHttpHeaders()) {
                    argv.addAll(List.of("--header", h.getName() + ": " + (h.getValue() == null ? "" : h.getValue())));
                }
            }
        } else if (original.getTcpSocket() != null) {
            TCPSocketAction tcp = original.getTcpSocket();
            argv.addAll(List.of("tcp", "--port", port(tcp.getPort().getIntVal())));
        } else if (original.getGrpc() != null) {
            GRPCAction grpc = original.getGrpc();
            argv.addAll(List.of("grpc", "--port", port(grpc.getPort())));
            if (grpc.getService() != null && !grpc.getService().isEmpty()) {
                argv.addAll(List.of("--service", grpc.getService()));
            }
        } else {
            throw new IllegalArgumentException("no httpGet, tcpSocket or grpc handler: " + original);
        }
        argv.addAll(List.of("--timeout", Integer.toString(KubeletProber.timeoutSeconds(original))));
        return new ProbeBuilder(original).withHttpGet(null).withTcpSocket(null).withGrpc(null)
                .withNewExec().withCommand(argv).endExec().build();
    }

    private static String port(Integer port) {
        if (port == null) {
            throw new IllegalArgumentException("numeric ports only");
        }
        return port.toString();
    }
}
