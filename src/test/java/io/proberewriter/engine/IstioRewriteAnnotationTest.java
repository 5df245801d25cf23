package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** sidecar.istio.io/rewriteAppHTTPProbers is read as Istio reads it: Go's strconv.ParseBool. */
class IstioRewriteAnnotationTest {

    @ParameterizedTest
    @CsvSource({"true,false", "1,false", "T,false", "True,false", "TRUE,false",
            "false,true", "0,true", "tRuE,true", "yes,true", "'',true"})
    void onlyWhatIstioReadsAsTrueLeavesTheProbesToIstio(String value, boolean rewritten) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p")
                .addToAnnotations(Annotations.ISTIO_REWRITE_APP_HTTP_PROBERS, value).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withNewLivenessProbe().withNewHttpGet()
                .withPort(new IntOrString(8080)).endHttpGet().endLivenessProbe().endContainer().endSpec().build();
        RewriteResult result = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle())
                .rewrite(pod, NamespaceContext.unknown("default"));
        assertEquals(rewritten, result.changed(), value + ": " + result.decisions());
    }
}
