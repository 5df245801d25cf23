package io.proberewriter.fidelity;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceContext;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.engine.RewriteResult;

/** Runs the real engine, with its defaults, on a one-container pod that carries {@code original}. */
final class Rewrites {

    private Rewrites() {
    }

    /** The exec probe the engine puts in place of the readiness probe {@code original}, aimed at {@code port}. */
    static Probe execProbe(Probe original, int port, ExecCommandStyle style) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName("fidelity").withNamespace("fidelity").endMetadata()
                .withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withImage("app:1")
                        .addNewPort().withContainerPort(port).endPort()
                        .withReadinessProbe(original).build())
                .endSpec().build();
        ProbeRewriter rewriter = new ProbeRewriter(GlobalSettings.defaults().withExecCommand(style),
                new AssumeAllMtlsOracle());
        RewriteResult result = rewriter.rewrite(pod, NamespaceContext.unknown("fidelity"));
        if (result.replacements().size() != 1 || result.replacements().get(0).probe().getExec() == null) {
            throw new IllegalStateException("the engine did not rewrite the probe into an exec probe: "
                    + result.decisions() + " " + result.warnings());
        }
        return result.replacements().get(0).probe();
    }

    /** The exec hook the engine puts in place of the preStop hook {@code original} (numeric port). */
    static LifecycleHandler execHook(LifecycleHandler original) {
        int port = original.getHttpGet().getPort().getIntVal();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName("fidelity").withNamespace("fidelity").endMetadata()
                .withNewSpec()
                .withContainers(new ContainerBuilder().withName("app").withImage("app:1")
                        .addNewPort().withContainerPort(port).endPort()
                        .withNewLifecycle().withPreStop(original).endLifecycle().build())
                .endSpec().build();
        RewriteResult result = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle())
                .rewrite(pod, NamespaceContext.unknown("fidelity"));
        Pod rewritten = AppliedRewrite.apply(result, pod);
        LifecycleHandler hook = rewritten.getSpec().getContainers().get(0).getLifecycle().getPreStop();
        if (hook.getExec() == null) {
            throw new IllegalStateException("the engine did not rewrite the hook into an exec hook: "
                    + result.decisions() + " " + result.warnings());
        }
        return hook;
    }
}
