package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Optional;

/**
 * What a pod needs so that its exec probes and hooks can run the prober, and lacks: an {@code emptyDir} volume, an
 * init container that copies the prober into it, and a read-only mount of it in each container that runs it. Only
 * what is missing is listed, so a second pass over the same pod adds nothing. {@link ProberPlacement} decides it.
 * The volume, mount and init container are shared by every pod that gets them: read them, never change them.
 *
 * @param volume             the volume, when the pod has none of that name
 * @param firstVolume        the pod has no volumes at all: the list is added whole
 * @param initContainer      the init container, when the pod has none of that name
 * @param firstInitContainer the pod has no init containers at all
 * @param mounts             containers that run the prober and do not mount it yet
 * @param image              the init container the pod has already, when its image must become the configured one
 *                           ({@link ProberPlacement#missing})
 */
public record ProberInjection(Optional<Volume> volume, boolean firstVolume, Optional<Container> initContainer,
                             boolean firstInitContainer, List<Mount> mounts, Optional<ImageUpdate> image) {

    /** Where the prober is in every container that runs it. */
    public static final String MOUNT_PATH = "/probe-rewriter";
    public static final String BINARY = MOUNT_PATH + "/prober";
    /** The name of both the volume and the init container, so that a pass recognises what an earlier one added. */
    public static final String NAME = "probe-rewriter-prober";

    /** @param first the container has no volume mounts at all */
    public record Mount(ContainerRef container, VolumeMount mount, boolean first) {
    }

    /** @param index the init container's index in {@code initContainers} */
    public record ImageUpdate(int index, String image) {
    }

    public ProberInjection {
        mounts = List.copyOf(mounts);
    }

    /** Nothing to do to an init container the pod has already. */
    public ProberInjection(Optional<Volume> volume, boolean firstVolume, Optional<Container> initContainer,
                           boolean firstInitContainer, List<Mount> mounts) {
        this(volume, firstVolume, initContainer, firstInitContainer, mounts, Optional.empty());
    }

    public static ProberInjection none() {
        return new ProberInjection(Optional.empty(), false, Optional.empty(), false, List.of());
    }

    public boolean isEmpty() {
        return volume.isEmpty() && initContainer.isEmpty() && mounts.isEmpty() && image.isEmpty();
    }
}
