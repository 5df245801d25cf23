package io.proberewriter.mtls;

import static io.proberewriter.mtls.MeshFixtures.UNMESHED;
import static io.proberewriter.mtls.MeshFixtures.check;
import static io.proberewriter.mtls.MeshFixtures.httpbin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.engine.MtlsVerdict;
import org.junit.jupiter.api.Test;

class AnnotationMtlsOracleTest {

    private final AnnotationMtlsOracle oracle = new AnnotationMtlsOracle();

    private static Pod annotated(String value) {
        return httpbin().editMetadata().addToAnnotations("probe-rewriter.io/mtls-ports", value).endMetadata().build();
    }

    @Test
    void noAnnotationMeansNoMtlsPort() {
        assertEquals(MtlsVerdict.accepts("port 8000 not under mTLS (the pod has no probe-rewriter.io/mtls-ports"
                + " annotation; resolver annotation)"), check(oracle, httpbin().build(), UNMESHED, 8000));
    }

    @Test
    void listedNumberRejectsOthersAccept() {
        Pod pod = annotated("8000, 9090");
        assertEquals(MtlsVerdict.rejects("port 8000 under mTLS (probe-rewriter.io/mtls-ports: \"8000, 9090\";"
                + " resolver annotation)"), check(oracle, pod, UNMESHED, 8000));
        assertEquals(MtlsVerdict.accepts("port 8001 not under mTLS (not in probe-rewriter.io/mtls-ports:"
                + " \"8000, 9090\"; resolver annotation)"), check(oracle, pod, UNMESHED, 8001));
    }

    @Test
    void portNamesResolveAgainstThePodsContainers() {
        Pod pod = annotated("admin");
        assertEquals(true, check(oracle, pod, UNMESHED, 8001).rejectsPlaintext());
        assertEquals(false, check(oracle, pod, UNMESHED, 8000).rejectsPlaintext());
    }

    @Test
    void anInvalidEntryCountsEveryPort() {
        Pod pod = annotated("8001,admn,70000");
        assertEquals(MtlsVerdict.rejects("port 8000 counts as under mTLS: probe-rewriter.io/mtls-ports entry"
                + " \"admn\", \"70000\" is neither a port number nor a port name of this pod, so every port counts"
                + " (resolver annotation)"), check(oracle, pod, UNMESHED, 8000));
    }

    @Test
    void emptyListMeansNoMtlsPort() {
        assertEquals(false, check(oracle, annotated(" "), UNMESHED, 8000).rejectsPlaintext());
    }
}
