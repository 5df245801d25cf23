package io.proberewriter.config;

import io.proberewriter.engine.ExecCommandStyle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.Mode;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.mtls.MtlsResolver;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting of the webhook, under {@code probe-rewriter.*} (environment: {@code PROBE_REWRITER_*}).
 * docs/configuration.md lists them; keep the two in step.
 */
@ConfigMapping(prefix = "probe-rewriter")
public interface ProbeRewriterConfig {

    /** Global default mode when neither namespace nor pod sets one. */
    @WithDefault(GlobalSettings.DEFAULT_MODE)
    Mode mode();

    /** Global default exec command. */
    @WithName("exec-command")
    @WithDefault(GlobalSettings.DEFAULT_EXEC_COMMAND)
    ExecCommandStyle execCommand();

    /**
     * The image an injected init container copies the prober from (the Dockerfile's {@code prober} target): what exec
     * probes and hooks run in place of curl, in any image.
     */
    @WithName("prober-image")
    @WithDefault(GlobalSettings.DEFAULT_PROBER_IMAGE)
    String proberImage();

    /** Probe kinds rewritten unless a pod's {@code probe-rewriter.io/probes} says otherwise. */
    @WithDefault(GlobalSettings.DEFAULT_PROBES)
    Set<ProbeKind> probes();

    /** Pod annotations that exclude inbound ports from the mesh; port mode adds the health port to each. */
    @WithName("exclusion-annotations")
    @WithDefault(GlobalSettings.DEFAULT_EXCLUSION_ANNOTATIONS)
    List<String> exclusionAnnotations();

    /** User-Agent of exec probes unless the probe sets its own; the kubelet sends kube-probe/MAJOR.MINOR. */
    @WithName("user-agent")
    @WithDefault(GlobalSettings.DEFAULT_USER_AGENT)
    String userAgent();

    /**
     * The ports that may become plaintext health ports in port mode, in namespaces without the annotation
     * {@code probe-rewriter.io/allowed-health-ports}: numbers, ranges or {@code *}. None by default: the namespace's
     * editors decide.
     */
    @WithName("allowed-health-ports")
    Optional<String> allowedHealthPorts();

    /** Mesh proxy containers whose probes are never touched. */
    @WithName("proxy-containers")
    @WithDefault(GlobalSettings.DEFAULT_PROXY_CONTAINERS)
    Set<String> proxyContainers();

    /**
     * The namespace probe-rewriter runs in (the Deployment passes its own through the downward API): home of its
     * Secrets and of the operator's leader-election Lease.
     */
    @WithDefault("probe-rewriter-system")
    String namespace();

    Tls tls();

    Namespaces namespaces();

    Operator operator();

    Webhook webhook();

    Mtls mtls();

    interface Tls {
        /**
         * Where the serving certificate comes from: {@code files} (PEM files, e.g. a Secret that cert-manager
         * fills, mounted as a volume) or {@code secret} (the Secret the operator manages, read through the API).
         */
        @WithDefault("files")
        TlsSource source();

        /** The Secret ({@code tls.crt}, {@code tls.key}) read when the source is {@code secret}. */
        @WithName("secret-name")
        @WithDefault("probe-rewriter-tls")
        String secretName();

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

    /** The operator path: everything that writes to the cluster (docs/architecture.md). */
    interface Operator {
        /** The Lease that makes one replica the writer (used in the prod profile). */
        @WithName("lease-name")
        @WithDefault("probe-rewriter-operator")
        String leaseName();

        Certificates certificates();

        /** The self-managed CA and serving certificate, and the webhook configuration's caBundle. */
        interface Certificates {
            /** Off when another tool (cert-manager) issues the certificate. */
            @WithDefault("true")
            boolean enabled();

            /** The Secret holding the CA's key; never mounted into a pod. */
            @WithName("ca-secret-name")
            @WithDefault("probe-rewriter-ca")
            String caSecretName();

            /**
             * The MutatingWebhookConfiguration whose caBundle is kept in step; also the one whose selectors the audit
             * and the port exceptions follow (WebhookScopeCache), whether or not this reconciler is on.
             */
            @WithName("webhook-configuration")
            @WithDefault("probe-rewriter")
            String webhookConfiguration();

            /** The Service in front of the webhook: the serving certificate names its DNS names. */
            @WithName("service-name")
            @WithDefault("probe-rewriter")
            String serviceName();

            /** Lifetime of the CA; a new CA is made at two thirds of it, and both are trusted until the old expires. */
            @WithName("ca-validity")
            @WithDefault("43800h")
            Duration caValidity();

            /**
             * How long a new CA is only trusted before it signs: time for the API server to see the new caBundle.
             * Meanwhile the previous CA goes on signing.
             */
            @WithName("ca-propagation")
            @WithDefault("1m")
            Duration caPropagation();

            /** Lifetime of the serving certificate; it is renewed at two thirds of it. */
            @WithName("serving-validity")
            @WithDefault("2160h")
            Duration servingValidity();
        }
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

        /** Mesh settings for the istio resolver, where the cluster's resources do not say. */
        interface Istio {
            /** Istio's root namespace ({@code meshConfig.rootNamespace}), home of mesh-wide policies. */
            @WithName("root-namespace")
            @WithDefault("istio-system")
            String rootNamespace();

            /**
             * The namespace of Istio's control plane, whose ConfigMaps (the injector's values, the mesh config) the
             * resolver reads where RBAC lets it (k8s/components/istio).
             */
            @WithName("namespace")
            @WithDefault("istio-system")
            String namespace();

            /**
             * Istio 0.8's {@code global.mtls.enabled}: mTLS everywhere unless a v1alpha1 policy says otherwise. The
             * mesh config's {@code authPolicy}, where it can be read, decides instead.
             */
            @WithName("global-mtls")
            @WithDefault("false")
            boolean globalMtls();

            /**
             * The mesh default of {@code sidecar.istio.io/rewriteAppHTTPProbers}, used where no injector ConfigMap
             * says it. Unset: off for a mesh from before Istio rewrote probes, on otherwise.
             */
            @WithName("rewrites-probes")
            Optional<Boolean> rewritesProbes();
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

        /**
         * How long a stopping replica keeps serving, readiness down, so that the API server stops calling it before
         * it stops accepting (endpoints take a few seconds to reach it). Read by quarkus.shutdown.delay.
         */
        @WithName("shutdown-delay")
        @WithDefault("10s")
        Duration shutdownDelay();

        /** Then how long requests in flight have to finish. Read by quarkus.shutdown.timeout. */
        @WithName("shutdown-timeout")
        @WithDefault("10s")
        Duration shutdownTimeout();

        /**
         * Longest wait for a request's headers, from the TLS handshake (a new connection) or from the request's first
         * byte (a kept-alive one); then the connection is closed. The API server sends its whole request at once.
         */
        @WithName("header-timeout")
        @WithDefault("10s")
        Duration headerTimeout();

        /** Longest wait for a request's body once its headers are in; then the connection is closed. */
        @WithName("body-timeout")
        @WithDefault("30s")
        Duration bodyTimeout();

        /**
         * How long a kept-alive connection may wait for its next request (Quarkus' quarkus.http.idle-timeout):
         * longer than the API server keeps idle connections (90 s), so that it is the one to close them.
         */
        @WithName("idle-timeout")
        @WithDefault("120s")
        Duration idleTimeout();

        /**
         * Most HTTPS connections open at once; one over it is closed after its handshake. The API server needs a few
         * dozen; each idle connection holds about 11.5 KiB with BoringSSL (17-22 KiB with the JDK's engine), so the
         * default bounds them to about 46 MiB.
         */
        @WithName("max-connections")
        @WithDefault("4096")
        int maxConnections();

        /**
         * The HTTPS port's TLS implementation: BoringSSL (netty-tcnative, bundled for Linux on x86-64 and arm64), or
         * the JDK's. Where OpenSSL cannot be loaded, the JDK's is used, with a warning.
         */
        @WithName("tls-engine")
        @WithDefault("openssl")
        TlsEngine tlsEngine();
    }
}
