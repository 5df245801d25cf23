package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import java.util.ArrayList;
import java.util.List;

/**
 * The exec probe that runs the prober in place of an {@code httpGet}, {@code tcpSocket} or {@code grpc} probe,
 * written down as docs/prober.md specifies the command line: this is the mapping the engine is to generate, and the
 * fidelity tests prove it keeps the kubelet's verdicts. Numeric ports only (the engine resolves named ports first),
 * and no {@code host} (probes that name a host are not rewritten). The same for an {@code httpGet} lifecycle hook
 * ({@link #execHook}).
 */
final class ProberCommand {

    private ProberCommand() {
    }

    static Probe execProbe(Probe original, String binary) {
        List<String> argv = new ArrayList<>(List.of(binary));
        if (original.getHttpGet() != null) {
            HTTPGetAction get = original.getHttpGet();
            argv.add("http");
            argv.addAll(requestArguments(get));
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

    /**
     * The exec hook that runs the prober in place of an {@code httpGet} lifecycle hook: {@code http-hook} with the
     * request's flags and no {@code --timeout}, because the kubelet's hook has none (its own default, no bound,
     * is the kubelet's). The User-Agent is the prober's default, {@code kube-lifecycle/1.35}.
     */
    static LifecycleHandler execHook(LifecycleHandler original, String binary) {
        HTTPGetAction get = original.getHttpGet();
        if (get == null) {
            throw new IllegalArgumentException("only httpGet hooks are rewritten: " + original);
        }
        List<String> argv = new ArrayList<>(List.of(binary, "http-hook"));
        argv.addAll(requestArguments(get));
        return new LifecycleHandlerBuilder(original).withHttpGet(null).withNewExec().withCommand(argv).endExec()
                .build();
    }

    /** --port, --scheme, --path and the headers in the handler's order: the same for a probe and a hook. */
    private static List<String> requestArguments(HTTPGetAction get) {
        List<String> args = new ArrayList<>(List.of("--port", port(get.getPort().getIntVal())));
        if (get.getScheme() != null && !get.getScheme().isEmpty()) {
            args.addAll(List.of("--scheme", get.getScheme()));
        }
        if (get.getPath() != null && !get.getPath().isEmpty()) {
            args.addAll(List.of("--path", get.getPath()));
        }
        if (get.getHttpHeaders() != null) {
            for (HTTPHeader h : get.getHttpHeaders()) {
                args.addAll(List.of("--header", h.getName() + ": " + (h.getValue() == null ? "" : h.getValue())));
            }
        }
        return args;
    }

    private static String port(Integer port) {
        if (port == null) {
            throw new IllegalArgumentException("numeric ports only");
        }
        return port.toString();
    }
}
