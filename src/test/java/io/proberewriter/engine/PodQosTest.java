package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

/**
 * The pod's class as Kubernetes' ComputePodQOS works it out: BestEffort only where no container (app, init, native
 * sidecar; ephemeral containers cannot ask) and no pod-level resources ask for CPU or memory by an amount above zero;
 * Guaranteed only where every container, init containers included, has CPU and memory limits and requests equal to
 * them.
 */
class PodQosTest {

    private static Container container(String name, ResourceRequirements resources) {
        return new ContainerBuilder().withName(name).withImage("example/" + name + ":1").withResources(resources)
                .build();
    }

    private static ResourceRequirements requests(String resource, String amount) {
        return new ResourceRequirementsBuilder().addToRequests(resource, new Quantity(amount)).build();
    }

    private static ResourceRequirements limits(String resource, String amount) {
        return new ResourceRequirementsBuilder().addToLimits(resource, new Quantity(amount)).build();
    }

    private static ResourceRequirements guaranteed() {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("1")).addToRequests("memory", new Quantity("1Gi"))
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("1Gi")).build();
    }

    @Test
    void aPodWhoseContainersAskForNothingIsBestEffort() {
        assertTrue(PodQos.bestEffort(new PodSpecBuilder().withContainers(container("web", null)).build()));
        assertTrue(PodQos.bestEffort(new PodSpecBuilder().withContainers(container("web", new ResourceRequirements()))
                .withInitContainers(container("setup", null)).build()));
    }

    @Test
    void anInitContainerAskingForCpuOrMemoryMakesThePodBurstable() {
        PodSpec initAsksMemory = new PodSpecBuilder().withContainers(container("web", null))
                .withInitContainers(container("setup", limits("memory", "64Mi"))).build();
        Container sidecar = new ContainerBuilder(container("agent", requests("cpu", "5m")))
                .withRestartPolicy("Always").build();
        PodSpec sidecarAsksCpu = new PodSpecBuilder().withContainers(container("web", null))
                .withInitContainers(sidecar).build();

        assertFalse(PodQos.bestEffort(initAsksMemory));
        assertFalse(PodQos.bestEffort(sidecarAsksCpu));
        assertFalse(PodQos.bestEffort(new PodSpecBuilder()
                .withContainers(container("web", null), container("worker", requests("memory", "1Mi"))).build()));
    }

    @Test
    void zeroAmountsAndOtherResourcesDoNotAsk() {
        ResourceRequirements zeros = new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("0")).addToLimits("memory", new Quantity("0Mi"))
                .addToRequests("ephemeral-storage", new Quantity("1Gi"))
                .addToLimits("example.com/gpu", new Quantity("1")).build();

        assertTrue(PodQos.bestEffort(new PodSpecBuilder().withContainers(container("web", zeros))
                .withInitContainers(container("setup", zeros)).build()));
    }

    /** Kubernetes 1.32 and later: a pod that sets CPU or memory for itself is never BestEffort. */
    @Test
    void podLevelResourcesAskingForCpuOrMemoryMakeThePodNotBestEffort() {
        PodSpec podLevel = new PodSpecBuilder().withContainers(container("web", null))
                .withResources(requests("cpu", "100m")).build();

        assertFalse(PodQos.bestEffort(podLevel));
        assertFalse(PodQos.guaranteedByContainers(podLevel));
    }

    @Test
    void anInitContainerAskingLessThanItsLimitsKeepsThePodFromGuaranteed() {
        PodSpec allGuaranteed = new PodSpecBuilder().withContainers(container("web", guaranteed()))
                .withInitContainers(container("setup", guaranteed())).build();
        ResourceRequirements burstable = new ResourceRequirementsBuilder(guaranteed())
                .addToRequests("cpu", new Quantity("500m")).build();
        PodSpec initBurstable = new PodSpecBuilder().withContainers(container("web", guaranteed()))
                .withInitContainers(container("setup", burstable)).build();

        assertTrue(PodQos.guaranteedByContainers(allGuaranteed));
        assertFalse(PodQos.bestEffort(allGuaranteed));
        assertFalse(PodQos.guaranteedByContainers(initBurstable));
    }
}
