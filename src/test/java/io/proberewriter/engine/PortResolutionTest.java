package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A probe's port as the kubelet resolves it: the API server's range for numbers, the container's own names. */
class PortResolutionTest {

    private static final Container WEB = new ContainerBuilder().withName("web")
            .addNewPort().withName("http").withContainerPort(8080).endPort()
            .addNewPort().withName("top").withContainerPort(65535).endPort()
            .build();

    @ParameterizedTest
    @ValueSource(ints = {1, 80, 65535})
    void everyPortOfTheRangeIsAPort(int port) {
        PortResolution resolved = PortResolution.of(new IntOrString(port), WEB);
        assertTrue(resolved.ok(), resolved.toString());
        assertEquals(port, resolved.port());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void aNumberOutsideTheRangeIsNamedAsSuch(int port) {
        PortResolution resolved = PortResolution.of(new IntOrString(port), WEB);
        assertFalse(resolved.ok());
        assertEquals("port " + port + " is out of range 1-65535", resolved.problem());
    }

    @Test
    void aNameIsTheContainersOwnPort() {
        assertEquals(8080, PortResolution.of(new IntOrString("http"), WEB).port());
        assertEquals(65535, PortResolution.of(new IntOrString("top"), WEB).port());
        PortResolution unknown = PortResolution.of(new IntOrString("metrics"), WEB);
        assertFalse(unknown.ok());
        assertEquals("port name \"metrics\" is not a port of container web", unknown.problem());
    }
}
