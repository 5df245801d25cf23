package io.proberewriter.config;

import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.Mode;
import io.proberewriter.engine.ProbeKind;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every setting of the webhook, under {@code probe-rewriter.*} (environment: {@code PROBE_REWRITER_*}).
 * docs/configuration.md lists them; keep the two in step.
 */
@ConfigMapping(prefix = "probe-rewriter")
public interface ProbeRewriterConfig {

    /** Global default mode when neither namespace nor pod sets one. */
    @WithDefault("exec")
    Mode mode();

    /** Global default exec command. */
    @WithName("exec-command")
    @WithDefault("curl")
    ExecCommandStyle execCommand();

    /** Probe kinds rewritten unless a pod's {@code probe-rewriter.io/probes} says otherwise. */
    @WithDefault("liveness,readiness,startup")
    Set<ProbeKind> probes();

    /** Pod annotations that exclude inbound ports from the mesh; port mode adds the health port to each. */
    @WithName("exclusion-annotations")
    @WithDefault("traffic.sidecar.istio.io/excludeInboundPorts")
    List<String> exclusionAnnotations();

    /** User-Agent of exec probes unless the probe sets its own; the kubelet sends kube-probe/MAJOR.MINOR. */
    @WithName("user-agent")
    @WithDefault("kube-probe/1.35")
    String userAgent();

    /** Mesh proxy containers whose probes are never touched. */
    @WithName("proxy-containers")
    @WithDefault("istio-proxy,linkerd-proxy,kuma-sidecar,consul-dataplane,envoy-sidecar")
    Set<String> proxyContainers();

    Tls tls();

    Namespaces namespaces();

    Webhook webhook();

    Mtls mtls();

    interface Tls {
        /** PEM certificate chain served on the HTTPS port. */
        @WithName("cert-file")
        @WithDefault("/etc/probe-rewriter/tls/tls.crt")
        String certFile();

        /** PEM private key of that certificate. */
        @WithName("key-file")
        @WithDefault("/etc/probe-rewriter/tls/tls.key")
        String keyFile();

        /** How often the files are checked for a new certificate (mounted Secrets change in place). */
        @WithName("reload-period")
        @WithDefault("30s")
        Duration reloadPeriod();
    }

    interface Namespaces {
        /**
         * Watch Namespaces (an informer cache) for their defaults and opt-in label. Off: global defaults
         * apply to every pod and no API server is needed.
         */
        @WithDefault("true")
        boolean watch();
    }

    interface Mtls {
        /**
         * Which mTLS resolver answers for the webhook (docs/mtls-resolution.md). {@code auto}: istio when the
         * cluster serves Istio's PeerAuthentication, assume-all otherwise.
         */
        @WithDefault("auto")
        MtlsResolver resolver();

        Istio istio();

        /** Mesh settings the istio resolver cannot read from the cluster's resources. */
        interface Istio {
            /** Istio's root namespace ({@code meshConfig.rootNamespace}), home of mesh-wide policies. */
            @WithName("root-namespace")
            @WithDefault("istio-system")
            String rootNamespace();

            /** Istio 0.8's {@code global.mtls.enabled}: mTLS everywhere unless a v1alpha1 policy says otherwise. */
            @WithName("global-mtls")
            @WithDefault("false")
            boolean globalMtls();

            /** The mesh default of {@code sidecar.istio.io/rewriteAppHTTPProbers}, on since Istio 1.10. */
            @WithName("rewrites-probes")
            @WithDefault("true")
            boolean rewritesProbes();
        }
    }

    interface Webhook {
        /** Most warning lines returned to kubectl for one pod; the rest are summarised in one line. */
        @WithName("max-warnings")
        @WithDefault("20")
        int maxWarnings();

        /** Largest request body accepted; larger ones get 413 without being read. */
        @WithName("max-body-size")
        @WithDefault("7M")
        String maxBodySize();
    }
}
