package io.proberewriter.cli;

import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.manifest.MeshPolicyDocuments;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.GeneratedPolicy;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import io.proberewriter.mtls.MtlsResolver;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * How an offline run decides which ports are under mTLS (see docs/mtls-resolution.md). By default ({@code auto}),
 * as the webhook does against its cluster: istio when Istio's policies are present — here, in the input — and
 * assume-all otherwise.
 */
public final class MtlsOptions {

    @Option(names = "--mtls", paramLabel = "RESOLVER", converter = ResolverConverter.class, defaultValue = "auto",
            description = "How to tell which ports are under mTLS: istio (PeerAuthentication, v1alpha1 Policy/MeshPolicy, "
                    + "Services and Istio's ConfigMaps read from the input), assume-all (every port), annotation "
                    + "(probe-rewriter.io/mtls-ports), or auto: istio when the input holds Istio policies (or Istio "
                    + "0.8's mesh config), else assume-all. Default: ${DEFAULT-VALUE}.")
    MtlsResolver resolver = MtlsResolver.AUTO;

    @Option(names = "--istio-root-namespace", paramLabel = "NS", defaultValue = MeshPolicies.DEFAULT_ROOT_NAMESPACE,
            description = "With --mtls istio: Istio's root namespace, home of mesh-wide PeerAuthentication "
                    + "(default: ${DEFAULT-VALUE}).")
    String rootNamespace = MeshPolicies.DEFAULT_ROOT_NAMESPACE;

    @Option(names = "--istio-namespace", paramLabel = "NS", defaultValue = MeshPolicies.DEFAULT_ISTIO_NAMESPACE,
            description = "With --mtls istio: the namespace of Istio's control plane, where its ConfigMaps "
                    + "istio-sidecar-injector[-<revision>] and istio are read from the input "
                    + "(default: ${DEFAULT-VALUE}).")
    String istioNamespace = MeshPolicies.DEFAULT_ISTIO_NAMESPACE;

    @Option(names = "--istio-global-mtls",
            description = "With --mtls istio: Istio 0.8's global.mtls.enabled, mTLS everywhere unless a v1alpha1 "
                    + "policy says otherwise (default: what the input's mesh config, ConfigMap istio, says; else off).")
    boolean globalMtls;

    @Option(names = "--istio-rewrites-probes", paramLabel = "BOOL", arity = "1",
            description = "With --mtls istio: the mesh default of sidecar.istio.io/rewriteAppHTTPProbers, where the "
                    + "input holds no istio-sidecar-injector ConfigMap that says it. Unset: off for a mesh from "
                    + "before Istio rewrote probes (v1alpha1 policies and no PeerAuthentication, or Istio 0.8's "
                    + "global mTLS switch), on otherwise.")
    Boolean istioRewritesProbes;

    /**
     * The resolver for this run. With istio, the snapshot comes from {@code documents}; documents it has to ignore
     * are reported through {@code warnings}.
     */
    MtlsOracle oracle(List<SourceDocument> documents, String defaultNamespace, Consumer<String> warnings) {
        MtlsResolver chosen = resolver.resolve(documents.stream().anyMatch(this::decidesIstioMtls));
        return switch (chosen) {
            case ASSUME_ALL, AUTO -> new AssumeAllMtlsOracle();
            case ANNOTATION -> new AnnotationMtlsOracle();
            case ISTIO -> {
                MeshPolicyDocuments mesh = MeshPolicyDocuments.read(documents, defaultNamespace,
                        () -> MeshPolicies.builder().rootNamespace(rootNamespace).istioNamespace(istioNamespace)
                                .legacyGlobalMtls(globalMtls)
                                .rewriteAppProbesSetting(Optional.ofNullable(istioRewritesProbes),
                                        "--istio-rewrites-probes"));
                mesh.warnings().forEach(warnings);
                yield new IstioMtlsOracle(mesh.policies());
            }
        };
    }

    /**
     * An Istio policy, or Istio 0.8's mesh config, which may hold its global mTLS switch. A port exception
     * probe-rewriter's operator wrote (a cluster dump holds them) is none: the resolver reads the input as if it
     * were absent ({@link GeneratedPolicy}), so it must not choose the resolver either.
     */
    private boolean decidesIstioMtls(SourceDocument document) {
        boolean generated = GeneratedPolicy.VALUE.equals(document.content().path("metadata").path("labels")
                .path(GeneratedPolicy.LABEL).asText(""));
        return MeshPolicies.isPolicyKind(document.content().path("apiVersion").asText(""),
                document.content().path("kind").asText("")) && !generated
                || MeshPolicyDocuments.isIstioMeshConfig(document, istioNamespace);
    }

    static final class ResolverConverter implements ITypeConverter<MtlsResolver> {
        @Override
        public MtlsResolver convert(String value) {
            return MtlsResolver.parse(value).orElseThrow(() -> new TypeConversionException("'" + value
                    + "' is not an mTLS resolver (accepted: " + MtlsResolver.accepted() + ")"));
        }
    }
}
