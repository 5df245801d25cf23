package io.proberewriter.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.engine.ContainerLimits;
import io.proberewriter.engine.NamespaceContext;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an offline run knows of namespaces: Namespace and LimitRange documents, alone or as the items of a List (what
 * {@code kubectl get namespaces,limitranges -A -o yaml} prints), over the command line's defaults.
 */
class NamespaceDirectoryTest {

    private static final String LIST = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata:
                name: shop
                labels: {istio-injection: enabled}
                annotations: {probe-rewriter.io/mode: port}
            - apiVersion: v1
              kind: LimitRange
              metadata: {name: limits, namespace: shop}
              spec:
                limits:
                - type: Container
                  min: {cpu: 50m}
            - apiVersion: v1
              kind: LimitRange
              metadata: {name: no-namespace}
              spec:
                limits:
                - type: Container
                  max: {memory: 1Gi}
            """;

    private static NamespaceDirectory read(String yaml) throws ManifestException {
        return NamespaceDirectory.of(new ManifestReader().read("list.yaml", yaml),
                Map.of("probe-rewriter.io/exec-command", "curl"), "apps");
    }

    @Test
    void namespacesAndLimitRangesAreReadFromTheItemsOfAList() throws ManifestException {
        NamespaceDirectory directory = read(LIST);
        NamespaceContext shop = directory.context("shop");
        assertTrue(shop.known());
        assertEquals("enabled", shop.labels().get("istio-injection"));
        assertEquals(Map.of("probe-rewriter.io/mode", "port", "probe-rewriter.io/exec-command", "curl"),
                shop.annotations());
        assertEquals(new BigDecimal("0.050"), shop.containerLimits().min().get("cpu"));
        ContainerLimits apps = directory.context("apps").containerLimits();
        assertEquals(new BigDecimal(1024L * 1024 * 1024), apps.max().get("memory"),
                "a LimitRange without a namespace is in -n's");
        assertFalse(directory.context("apps").known());
        assertTrue(directory.context("other").containerLimits().none());
    }

    @Test
    void aLimitRangeItemOfTheWrongShapeIsNamedByItsPlaceInTheList() throws ManifestException {
        ManifestException e = assertThrows(ManifestException.class,
                () -> read(LIST.replace("min: {cpu: 50m}", "min: [50m]")));
        assertEquals("list.yaml, document 1 (List): items[1].spec.limits[0].min: expected an object, got a list",
                e.getMessage());
        assertTrue(read("apiVersion: v1\nkind: List\nitems: []\n").context("shop").containerLimits().none());
    }
}
