package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;

/**
 * The lifecycle hooks the kubelet runs. An {@code httpGet} hook is sent by the kubelet to the pod's IP, exactly as an
 * {@code httpGet} probe is, so it meets the same mTLS wall: a {@code preStop} that never reaches the app, a
 * {@code postStart} that fails and kills the container.
 */
public enum HookKind implements HandlerKind {
    POST_START("postStart"),
    PRE_STOP("preStop");

    private final String word;

    HookKind(String word) {
        this.word = word;
    }

    @Override
    public String word() {
        return word;
    }

    @Override
    public String pointer() {
        return "lifecycle/" + word;
    }

    @Override
    public String describe() {
        return word + " hook";
    }

    /**
     * The hook as a probe with the same handler, so that the probe rules read it; its JSON is the hook's own, since a
     * lifecycle handler and a probe share the handler fields. A {@code sleep} hook has no counterpart and reads as a
     * probe without a handler.
     */
    @Override
    public Probe get(Container container) {
        LifecycleHandler hook = handler(container);
        if (hook == null) {
            return null;
        }
        // The handler's objects themselves, not copies through the builders: nothing changes them, and every hook of
        // every pod passes here (as in HandlerReplacement).
        Probe probe = new Probe();
        probe.setExec(hook.getExec());
        probe.setHttpGet(hook.getHttpGet());
        probe.setTcpSocket(hook.getTcpSocket());
        return probe;
    }

    @Override
    public void set(Container container, Probe handler) {
        LifecycleHandler hook = new LifecycleHandler();
        hook.setExec(handler.getExec());
        hook.setHttpGet(handler.getHttpGet());
        hook.setTcpSocket(handler.getTcpSocket());
        Lifecycle lifecycle = container.getLifecycle() == null ? new Lifecycle() : container.getLifecycle();
        switch (this) {
            case POST_START -> lifecycle.setPostStart(hook);
            case PRE_STOP -> lifecycle.setPreStop(hook);
        }
        container.setLifecycle(lifecycle);
    }

    private LifecycleHandler handler(Container container) {
        if (container.getLifecycle() == null) {
            return null;
        }
        return switch (this) {
            case POST_START -> container.getLifecycle().getPostStart();
            case PRE_STOP -> container.getLifecycle().getPreStop();
        };
    }
}
