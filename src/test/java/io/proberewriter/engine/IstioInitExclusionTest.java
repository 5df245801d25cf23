package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IstioInitExclusionTest {

    private static Container istioInit(String... args) {
        return new ContainerBuilder().withName("istio-init").withArgs(args).build();
    }

    private static Optional<ArgumentReplacement> merge(Container... initContainers) {
        return IstioInitExclusion.merge(List.of(initContainers), List.of(8081));
    }

    @Test
    void theHealthPortIsAppendedToTheValueAfterMinusD() {
        Container other = new ContainerBuilder().withName("setup").withArgs("-d", "1").build();
        ArgumentReplacement r = merge(other, istioInit("istio-iptables", "-b", "*", "-d", "15090,15021,15020"))
                .orElseThrow();

        assertEquals(new ContainerRef(ContainerSection.INIT_CONTAINERS, 1, "istio-init"), r.container());
        assertEquals(4, r.index());
        assertEquals("15090,15021,15020,8081", r.value());
    }

    @Test
    void theLongFlagAndTheEqualsFormAreReadAndTheLastOccurrenceWins() {
        assertEquals(new ArgumentReplacement(new ContainerRef(ContainerSection.INIT_CONTAINERS, 0, "istio-init"), 3,
                        "--inbound-ports-exclude=15020,8081"),
                merge(istioInit("istio-iptables", "-d", "1", "--inbound-ports-exclude=15020")).orElseThrow());
        assertEquals("15021,8081",
                merge(istioInit("istio-iptables", "--inbound-ports-exclude", "15021")).orElseThrow().value());
    }

    @Test
    void nothingChangesWhereThePortIsCoveredOrIgnoredOrThereIsNoIstioInit() {
        assertTrue(merge(istioInit("istio-iptables", "-d", "15020,8081")).isEmpty(), "already covered");
        assertTrue(merge(istioInit("istio-iptables", "-b", "8080", "-d", "15020")).isEmpty(),
                "-b lists ports: -d is not read");
        assertTrue(merge(istioInit("istio-iptables", "-p", "15001")).isEmpty(), "no -d to extend");
        assertTrue(merge(istioInit("something-else", "-d", "15020")).isEmpty(), "not Istio's iptables setup");
        assertTrue(merge(new ContainerBuilder().withName("istio-init").build()).isEmpty(), "no arguments");
        assertTrue(IstioInitExclusion.merge(List.of(istioInit("istio-iptables", "-d", "15020")), List.of()).isEmpty(),
                "no health port");
    }
}
