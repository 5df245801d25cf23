package io.proberewriter.cli;

import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.manifest.MeshPolicyDocuments;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.IstioMtlsOracle;
import io.proberewriter.mtls.MeshPolicies;
import java.util.List;
import java.util.Locale;
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

    /** The resolvers a user can pick, by the names the docs use. */
    enum Resolver {
        AUTO("auto"), ISTIO("istio"), ASSUME_ALL("assume-all"), ANNOTATION("annotation");

        final String word;

        Resolver(String word) {
            this.word = word;
        }
    }

    @Option(names = "--mtls", paramLabel = "RESOLVER", converter = ResolverConverter.class, defaultValue = "auto",
            description = "How to tell which ports are under mTLS: istio (PeerAuthentication, v1alpha1 Policy/MeshPolicy "
                    + "and Services read from the input), assume-all (every port), annotation "
                    + "(probe-rewriter.io/mtls-ports), or auto: istio when the input holds Istio policies, else "
                    + "assume-all. Default: ${DEFAULT-VALUE}.")
    Resolver resolver = Resolver.AUTO;

    @Option(names = "--istio-root-namespace", paramLabel = "NS", defaultValue = MeshPolicies.DEFAULT_ROOT_NAMESPACE,
            description = "With --mtls istio: Istio's root namespace, home of mesh-wide PeerAuthentication "
                    + "(default: ${DEFAULT-VALUE}).")
    String rootNamespace = MeshPolicies.DEFAULT_ROOT_NAMESPACE;

    @Option(names = "--istio-global-mtls",
            description = "With --mtls istio: Istio 0.8's global.mtls.enabled, mTLS everywhere unless a v1alpha1 "
                    + "policy says otherwise (default: off).")
    boolean globalMtls;

    @Option(names = "--istio-rewrites-probes", paramLabel = "BOOL", arity = "1", defaultValue = "true",
            description = "With --mtls istio: the mesh default of sidecar.istio.io/rewriteAppHTTPProbers, on since "
                    + "Istio 1.10; false for older meshes (default: ${DEFAULT-VALUE}).")
    boolean istioRewritesProbes = true;

    /**
     * The resolver for this run. With istio, the snapshot comes from {@code documents}; documents it has to ignore
     * are reported through {@code warnings}.
     */
    MtlsOracle oracle(List<SourceDocument> documents, String defaultNamespace, Consumer<String> warnings) {
        Resolver chosen = resolver != Resolver.AUTO ? resolver
                : documents.stream().anyMatch(MtlsOptions::isIstioPolicy) ? Resolver.ISTIO : Resolver.ASSUME_ALL;
        return switch (chosen) {
            case ASSUME_ALL, AUTO -> new AssumeAllMtlsOracle();
            case ANNOTATION -> new AnnotationMtlsOracle();
            case ISTIO -> {
                MeshPolicyDocuments mesh = MeshPolicyDocuments.read(documents, defaultNamespace,
                        () -> MeshPolicies.builder().rootNamespace(rootNamespace).legacyGlobalMtls(globalMtls)
                                .rewriteAppProbesByDefault(istioRewritesProbes));
                mesh.warnings().forEach(warnings);
                yield new IstioMtlsOracle(mesh.policies());
            }
        };
    }

    private static boolean isIstioPolicy(SourceDocument document) {
        return MeshPolicies.isPolicyKind(document.content().path("apiVersion").asText(""),
                document.content().path("kind").asText(""));
    }

    static final class ResolverConverter implements ITypeConverter<Resolver> {
        @Override
        public Resolver convert(String value) {
            for (Resolver r : Resolver.values()) {
                if (r.word.equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
            throw new TypeConversionException("'" + value + "' is not an mTLS resolver (accepted: auto, istio, "
                    + "assume-all, annotation)");
        }
    }
}
