package io.proberewriter.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.proberewriter.cluster.MockClusterResolver;
import io.proberewriter.config.ConfigMappings;
import io.proberewriter.config.ProbeRewriterConfig;
import io.proberewriter.config.WebhookGlobalSettings;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import io.proberewriter.golden.GoldenCase;
import io.proberewriter.golden.GoldenCluster;
import io.proberewriter.manifest.SourceDocument;
import io.proberewriter.mtls.AnnotationMtlsOracle;
import io.proberewriter.mtls.IstioKind;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden case through the webhook's decision in process, as Istio's {@code TestInjection} runs its injector:
 * the review encoded and read by {@link ReviewCodec}, the pod judged by {@link PodMutator} with the webhook's engine
 * and the settings the case's CLI flags stand for, the response written by the codec. The pod's namespace is as the
 * cluster would hold it ({@link GoldenCluster#namespaces}); with the istio resolver, the policies, Services and
 * ConfigMaps of the case are in a mock API server and reach the resolver through its informers, as in a replica.
 * The transport is tested apart, over HTTPS (AdmissionGoldenTest, LegacyIstioAdmissionGoldenTest and the others).
 */
class GoldenCasesThroughTheDecisionTest {

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughTheDecision() throws Exception {
        return GoldenCase.all().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<SourceDocument> inputs = c.inputs();
            boolean istio = "istio".equals(c.resolver());
            ProbeRewriterConfig config = ConfigMappings.read(ProbeRewriterConfig.class, settings(c));
            List<LimitRange> limitRanges = GoldenCluster.limitRanges(inputs);
            Map<String, NamespaceView> namespaces = GoldenCluster.namespaces(c, inputs, istio).stream()
                    .collect(Collectors.toMap(ns -> ns.getMetadata().getName(), ns -> NamespaceView.of(ns)
                            .withContainerLimits(GoldenCluster.containerLimits(limitRanges,
                                    ns.getMetadata().getName()))));
            if (!istio) {
                MtlsOracle oracle = "annotation".equals(c.resolver()) ? new AnnotationMtlsOracle()
                        : new AssumeAllMtlsOracle();
                GoldenAdmissions.assertEveryPod(c, inputs, inProcess(config, oracle, namespaces));
                return;
            }
            try (MockClusterResolver cluster = new MockClusterResolver(config, servedKinds(c),
                    GoldenCluster.meshObjects(inputs))) {
                GoldenAdmissions.assertEveryPod(c, inputs, inProcess(config, cluster.oracle(), namespaces));
            }
        }));
    }

    /**
     * The webhook's settings that stand for the case's CLI flags. The mode and exec command are not among them: the
     * CLI's {@code --mode} and {@code --exec-command} stand for namespace annotations, and are there.
     */
    private static Map<String, String> settings(GoldenCase c) {
        Map<String, String> settings = new HashMap<>();
        if ("istio".equals(c.resolver())) {
            // An unflagged istio case is one the CLI's auto picks istio for: the webhook's auto must pick it too.
            settings.put("probe-rewriter.mtls.resolver", c.flag("--mtls") == null ? "auto" : "istio");
        }
        settings.put("probe-rewriter.mtls.istio.global-mtls", String.valueOf(c.flags().contains("--istio-global-mtls")));
        c.istioRewritesProbes().ifPresent(r -> settings.put("probe-rewriter.mtls.istio.rewrites-probes", r.toString()));
        if (c.flag("--prober-image") != null) {
            settings.put("probe-rewriter.prober-image", c.flag("--prober-image"));
        }
        if (c.flag("--istio-root-namespace") != null) {
            settings.put("probe-rewriter.mtls.istio.root-namespace", c.flag("--istio-root-namespace"));
        }
        return settings;
    }

    /**
     * What the case's cluster serves: an unflagged case without PeerAuthentication is the seeds' own cluster, Istio
     * 1.4 or older (only the v1alpha1 kinds), whose era also decides Istio's probe rewrite default; every other case
     * a current one that serves both.
     */
    private static List<IstioKind> servedKinds(GoldenCase c) {
        boolean legacy = c.flag("--mtls") == null && !c.holdsKind("PeerAuthentication");
        return legacy ? new IstioCrds.Legacy().kinds() : new IstioCrds().kinds();
    }

    /** The controller's path without HTTP: the codec, the decision with the case's namespaces, the codec again. */
    private static GoldenAdmissions.Admission inProcess(ProbeRewriterConfig config, MtlsOracle oracle,
                                                       Map<String, NamespaceView> namespaces) {
        PodMutator mutator = new PodMutator(new ProbeRewriter(WebhookGlobalSettings.of(config), oracle), config);
        return (namespace, pod) -> {
            byte[] body = Reviews.podCreate(namespace, pod).toString().getBytes(StandardCharsets.UTF_8);
            ReviewRequest request = ReviewCodec.read(body);
            NamespaceView view = namespaces.getOrDefault(request.namespace(),
                    NamespaceView.unknown(request.namespace()));
            Mutation mutation = mutator.mutate(request.pod(), view, request.name());
            JsonNode review = Reviews.JSON.readTree(ReviewCodec.write(request.uid(), mutation));
            return review.path("response");
        };
    }
}
