package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.ProberInjection;
import java.util.ArrayList;
import java.util.List;

/**
 * The exec probe or hook the engine writes in place of an {@code httpGet}, {@code tcpSocket} or {@code grpc} probe
 * or an {@code httpGet} hook, with the prober's path in the pod ({@value ProberInjection#BINARY}) swapped for the
 * binary the build made: the fidelity tests run exactly the command line the webhook generates.
 */
final class ProberCommand {

    private ProberCommand() {
    }

    static Probe execProbe(Probe original, String binary) {
        Probe exec = Rewrites.execProbe(original, portOf(original), ExecCommandStyle.PROBER);
        return new ProbeBuilder(exec).editExec().withCommand(located(exec.getExec().getCommand(), binary)).endExec()
                .build();
    }

    static LifecycleHandler execHook(LifecycleHandler original, String binary) {
        LifecycleHandler exec = Rewrites.execHook(original);
        return new LifecycleHandlerBuilder(exec).editExec()
                .withCommand(located(exec.getExec().getCommand(), binary)).endExec().build();
    }

    private static List<String> located(List<String> argv, String binary) {
        if (!ProberInjection.BINARY.equals(argv.get(0))) {
            throw new IllegalStateException("the engine did not run the prober: " + argv);
        }
        List<String> located = new ArrayList<>(argv);
        located.set(0, binary);
        return located;
    }

    private static int portOf(Probe original) {
        if (original.getHttpGet() != null) {
            return original.getHttpGet().getPort().getIntVal();
        }
        if (original.getTcpSocket() != null) {
            return original.getTcpSocket().getPort().getIntVal();
        }
        if (original.getGrpc() != null) {
            return original.getGrpc().getPort();
        }
        throw new IllegalArgumentException("no httpGet, tcpSocket or grpc handler: " + original);
    }
}
