package io.proberewriter.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules for putting the prober into a pod. The prober comes from an image of its own, copied by an init
 * container into an {@code emptyDir} that the containers running it mount read-only: nothing is asked of the
 * application's image, not even a shell.
 *
 * <p>The init container goes first among init containers. Native sidecars start in order and a sidecar's own probes
 * may run the prober, so it must be in place before any of them (where the pod has it already, behind a sidecar, that
 * sidecar's startup probe and {@code postStart} hook keep theirs: {@link #problem(ContainerRef, Container,
 * HandlerKind)}); it needs no network, so it works before or after a mesh's own init containers (Istio's
 * {@code istio-init}, {@code istio-validation}) and beside a proxy that runs as a native sidecar.
 *
 * <p>A pod where the prober cannot go without a conflict the API server would refuse (a volume or container of
 * that name that is not ours, a container that already mounts something else at {@value ProberInjection#MOUNT_PATH})
 * or where it cannot run (a Windows pod) keeps its probes: a refused pod is worse than a broken probe.
 */
final class ProberPlacement {

    /**
     * The user the prober image runs as (a distroless-style non-root id). Set on the init container only where the
     * pod runs its containers as root: elsewhere a fixed id would be refused by OpenShift's {@code restricted-v2}
     * security context constraint, which gives each namespace its own range of user ids and assigns one to a
     * container that names none; the image's own user (or the pod's) runs the copy there.
     */
    private static final long NON_ROOT_USER = 65532L;

    /**
     * What is injected is the same for every pod, and building it with the model's builders was a sixth of an
     * admission's CPU: it is built once (the init container once per prober image) and shared. It is only ever read
     * (turned into the patch), never changed.
     */
    private static final Volume VOLUME = volume();
    private static final VolumeMount MOUNT = mount();
    private static volatile ImageInitContainer lastInitContainer;

    /**
     * The init container for an image, as the image's (or the pod's) user and as {@link #NON_ROOT_USER}, with its
     * resources and, for a BestEffort pod, without.
     */
    private record ImageInitContainer(String image, Container asImageUser, Container asNonRootUser,
                                      Container asImageUserAskingNothing, Container asNonRootUserAskingNothing) {

        static ImageInitContainer of(String image) {
            Container asImageUser = initContainer(image, false);
            Container asNonRootUser = initContainer(image, true);
            return new ImageInitContainer(image, asImageUser, asNonRootUser,
                    new ContainerBuilder(asImageUser).withResources(null).build(),
                    new ContainerBuilder(asNonRootUser).withResources(null).build());
        }

        Container shared(boolean podRunsAsRoot, boolean asksForResources) {
            if (asksForResources) {
                return podRunsAsRoot ? asNonRootUser : asImageUser;
            }
            return podRunsAsRoot ? asNonRootUserAskingNothing : asImageUserAskingNothing;
        }
    }

    private final PodSpec spec;
    /** What keeps the prober out of the whole pod, found once: a pod may have thousands of containers. */
    private final Optional<String> podProblem;
    /** The index of the init container that copies the prober where the pod has it already, else -1. */
    private final int existingInitContainerAt;

    ProberPlacement(PodSpec spec) {
        this.spec = spec;
        this.podProblem = podProblem(spec);
        this.existingInitContainerAt = existingInitContainerAt(spec);
    }

    /**
     * Why {@code container}'s handler {@code kind} cannot run the prober, in words that complete "left unchanged: ";
     * empty when it can.
     */
    Optional<String> problem(ContainerRef ref, Container container, HandlerKind kind) {
        Optional<String> placement = problem(container);
        if (placement.isPresent()) {
            return Optional.of("the prober cannot be added: " + placement.get());
        }
        return startsBeforeTheCopy(ref, container, kind);
    }

    /**
     * A pod that has the init container already (a manifest the CLI rewrote, or a reinvocation after another webhook
     * added containers) keeps it where it is, and a native sidecar may have been put before it. The kubelet starts
     * the next init container only once a native sidecar has started: its startup probe passed and its
     * {@code postStart} hook done. Either one running the prober there would wait for a copy that never comes, and the
     * pod would stay in {@code Init} forever. Its liveness and readiness probes start with it, before the copy, and
     * fail until the copy is done: seconds (more where the prober's image must be pulled first), within a liveness
     * probe's failure threshold at its defaults, where left as they are mTLS would fail them for good; so they run
     * the prober all the same. Its {@code preStop} hook and the app's containers run once the copy is done.
     *
     * <p>The init container is not moved: it is someone's manifest or another webhook's ordering, and the undo the
     * docs give restores a pod by taking the prober's parts out, not by putting them back where they were.
     */
    private Optional<String> startsBeforeTheCopy(ContainerRef ref, Container container, HandlerKind kind) {
        boolean gatesTheNextInitContainer = kind == ProbeKind.STARTUP || kind == HookKind.POST_START;
        if (!gatesTheNextInitContainer || ref.section() != ContainerSection.INIT_CONTAINERS
                || ref.index() >= existingInitContainerAt || !"Always".equals(container.getRestartPolicy())) {
            return Optional.empty();
        }
        return Optional.of("native sidecar " + ref.name() + " (initContainers[" + ref.index() + "]) starts before the"
                + " init container " + ProberInjection.NAME + " (initContainers[" + existingInitContainerAt
                + "]) copies the prober, and the kubelet starts the next init container only once a sidecar's "
                + kind.describe() + (kind instanceof HookKind ? " has run" : " has passed") + ": run by the prober,"
                + " it would fail until the copy, which never comes, and the pod would stay in Init; move "
                + ProberInjection.NAME + " before " + ref.name() + " in initContainers (where a webhook adds " + ref.name()
                + " after probe-rewriter ran, have that webhook run first: configurations run in the order of"
                + " their names)");
    }

    private static int existingInitContainerAt(PodSpec spec) {
        List<Container> inits = nonNull(spec.getInitContainers());
        for (int i = 0; i < inits.size(); i++) {
            if (inits.get(i) != null && ProberInjection.NAME.equals(inits.get(i).getName())) {
                return i;
            }
        }
        return -1;
    }

    /** Why the prober cannot be put into {@code container} for its probes and hooks, or empty when it can. */
    Optional<String> problem(Container container) {
        if (podProblem.isPresent()) {
            return podProblem;
        }
        for (VolumeMount mount : nonNull(container.getVolumeMounts())) {
            if (mount == null) {
                continue;
            }
            boolean ourVolume = ProberInjection.NAME.equals(mount.getName());
            boolean ourPath = ProberInjection.MOUNT_PATH.equals(mount.getMountPath());
            if (ourVolume != ourPath) {
                return Optional.of("container " + container.getName() + " mounts " + mount.getName() + " at "
                        + mount.getMountPath() + ", in the way of the prober's volume at "
                        + ProberInjection.MOUNT_PATH);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> podProblem(PodSpec spec) {
        Optional<String> windows = WindowsPod.evidence(spec);
        if (windows.isPresent()) {
            return Optional.of("the pod runs on Windows (" + windows.get() + "), and the prober is a Linux executable;"
                    + " Windows Server images have curl.exe: set " + Annotations.EXEC_COMMAND + ": curl");
        }
        for (Volume volume : nonNull(spec.getVolumes())) {
            if (volume != null && ProberInjection.NAME.equals(volume.getName()) && volume.getEmptyDir() == null) {
                return Optional.of("the pod has a volume named " + ProberInjection.NAME
                        + " that is not the prober's emptyDir");
            }
        }
        for (Container other : nonNull(spec.getContainers())) {
            if (other != null && ProberInjection.NAME.equals(other.getName())) {
                return Optional.of("a container is named " + ProberInjection.NAME
                        + ", the name of the init container that copies the prober");
            }
        }
        for (Container init : nonNull(spec.getInitContainers())) {
            if (init != null && ProberInjection.NAME.equals(init.getName()) && !mountsProber(init)) {
                return Optional.of("an init container named " + ProberInjection.NAME
                        + " is there and does not mount the prober's volume");
            }
        }
        return Optional.empty();
    }

    /**
     * What the pod lacks for the containers that will run the prober once this pass's replacements are in.
     *
     * <p>An init container the pod has already (a manifest an earlier release's CLI rewrote, a reinvocation) is
     * kept, but where this pass writes prober commands it must run this release's prober: its image becomes
     * {@code image}, as the only field that decides which flags the prober takes. Flags only ever grow, so the newer
     * prober runs the older commands too. Not where a command in the pod uses a check or flag this release's prober
     * lacks: a newer release wrote it, and the image there already runs this pass's older commands. Nor where this
     * pass writes none: the pod's commands and its image came together, and a pinned image stays. Its command,
     * resources and security context stay as they are, fitted to the pod when it was added.
     *
     * @param handlers           every probe and hook of every probed container as it will be, by container
     * @param writesProberCommands this pass replaces a handler with a command that runs the prober
     */
    ProberInjection missing(Map<ContainerRef, List<Probe>> handlers, Map<ContainerRef, Container> containers,
                            String image, ContainerLimits limits, boolean writesProberCommands) {
        List<ProberInjection.Mount> mounts = new ArrayList<>();
        boolean needed = false;
        for (Map.Entry<ContainerRef, List<Probe>> entry : handlers.entrySet()) {
            if (!anyRunsProber(entry.getValue())) {
                continue;
            }
            Container container = containers.get(entry.getKey());
            if (problem(container).isPresent()) {
                // Run by hand in a pod where it cannot go: adding it would get the pod refused.
                continue;
            }
            needed = true;
            if (!mountsProber(container)) {
                mounts.add(new ProberInjection.Mount(entry.getKey(), MOUNT,
                        nonNull(container.getVolumeMounts()).isEmpty()));
            }
        }
        if (!needed) {
            return ProberInjection.none();
        }
        boolean hasVolume = nonNull(spec.getVolumes()).stream()
                .anyMatch(v -> v != null && ProberInjection.NAME.equals(v.getName()));
        boolean hasInit = existingInitContainerAt >= 0;
        Optional<ProberInjection.ImageUpdate> imageUpdate = Optional.empty();
        // The commands are read only where the image would change: not for a pod getting its first init container.
        if (hasInit && writesProberCommands
                && !image.equals(spec.getInitContainers().get(existingInitContainerAt).getImage())
                && !anyWrittenByANewerRelease(handlers)) {
            imageUpdate = Optional.of(new ProberInjection.ImageUpdate(existingInitContainerAt, image));
        }
        return new ProberInjection(hasVolume ? Optional.empty() : Optional.of(VOLUME),
                nonNull(spec.getVolumes()).isEmpty(),
                hasInit ? Optional.empty() : Optional.of(initContainerFor(image, runsAsRoot(spec), limits,
                        spec.getResources(), podSums(spec, limits.podConstrained()),
                        PodQos.guaranteedByContainers(spec),
                        PodQos.bestEffort(spec) && !limits.namesCpuOrMemory())),
                nonNull(spec.getInitContainers()).isEmpty(), mounts, imageUpdate);
    }

    /** Whether a prober command of the pod uses a check or flag this release's prober lacks. */
    private static boolean anyWrittenByANewerRelease(Map<ContainerRef, List<Probe>> handlers) {
        for (List<Probe> ofContainer : handlers.values()) {
            for (Probe handler : ofContainer) {
                if (runsProber(handler) && !ProberCommand.knownToThisRelease(handler.getExec().getCommand())) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean runsProber(Probe handler) {
        return handler != null && handler.getExec() != null && handler.getExec().getCommand() != null
                && !handler.getExec().getCommand().isEmpty()
                && ProberInjection.BINARY.equals(handler.getExec().getCommand().get(0));
    }

    // Loops, not streams, in what runs for every probed container of every pod: a stream's pipeline is objects and
    // code that a cold admission pays for.
    private static boolean anyRunsProber(List<Probe> handlers) {
        for (Probe handler : handlers) {
            if (runsProber(handler)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mountsProber(Container container) {
        for (VolumeMount mount : nonNull(container.getVolumeMounts())) {
            if (mount != null && ProberInjection.NAME.equals(mount.getName())) {
                return true;
            }
        }
        return false;
    }

    /** A few MiB on the node's disk, bounded so that nothing else can fill it. */
    private static Volume volume() {
        return new VolumeBuilder().withName(ProberInjection.NAME)
                .withNewEmptyDir().withSizeLimit(new Quantity("16Mi")).endEmptyDir().build();
    }

    /** Read-only: a container that runs the prober cannot replace it for the others. */
    private static VolumeMount mount() {
        return new VolumeMountBuilder().withName(ProberInjection.NAME).withMountPath(ProberInjection.MOUNT_PATH)
                .withReadOnly(true).build();
    }

    /**
     * Whether the pod's containers run as root unless they say otherwise ({@code runAsUser: 0} in the pod's security
     * context). The init container would inherit it, and its {@code runAsNonRoot} would then stop it from starting.
     */
    private static boolean runsAsRoot(PodSpec spec) {
        return spec.getSecurityContext() != null && Long.valueOf(0L).equals(spec.getSecurityContext().getRunAsUser());
    }

    /**
     * The image is one setting, so one entry is enough; a race only builds the same containers twice. A namespace
     * whose LimitRanges the default resources do not meet, or a pod whose own resources are fewer, gets a container
     * of its own, fitted to them (the pod's budget last: the API server's validation of the pod is not negotiable).
     *
     * <p>In a BestEffort pod the container asks for no CPU or memory ({@link PodQos}), but for what the LimitRanges
     * require of every container all the same: LimitRanger refuses one without a request of a resource that has a
     * {@code min} ({@code ephemeral-storage}). A pod in a namespace whose LimitRanges name CPU or memory does not stay
     * BestEffort ({@link ContainerLimits#namesCpuOrMemory}): there the container keeps its own resources, fitted.
     *
     * @param bestEffort the pod is BestEffort and will stay so: the container asks for no CPU or memory
     */
    private static Container initContainerFor(String image, boolean podRunsAsRoot, ContainerLimits limits,
                                              ResourceRequirements podResources, ResourceRequirements podSums,
                                              boolean guaranteed, boolean bestEffort) {
        ImageInitContainer last = lastInitContainer;
        if (last == null || !last.image().equals(image)) {
            last = ImageInitContainer.of(image);
            lastInitContainer = last;
        }
        Container shared = last.shared(podRunsAsRoot, !bestEffort);
        ResourceRequirements wanted = bestEffort ? new ResourceRequirements() : shared.getResources();
        ResourceRequirements fitted = PodResourceBudget.within(
                PodResourceBudget.within(limits.fit(wanted), podSums), podResources);
        if (guaranteed) {
            fitted = PodQos.requestingLimits(fitted);
        }
        boolean asShared = bestEffort ? asksNothing(fitted) : fitted == wanted || fitted.equals(wanted);
        return asShared ? shared : new ContainerBuilder(shared).withResources(fitted).build();
    }

    private static boolean asksNothing(ResourceRequirements resources) {
        return (resources.getRequests() == null || resources.getRequests().isEmpty())
                && (resources.getLimits() == null || resources.getLimits().isEmpty())
                && (resources.getClaims() == null || resources.getClaims().isEmpty());
    }

    /**
     * What the pod's containers ask and may use of each resource a {@code type: Pod} LimitRange constrains, added up
     * (the app's containers and native sidecars, which run beside them): the init container held within these leaves
     * the pod's totals as LimitRanger counts them (the larger of the sum and any one init container) as they were.
     * A resource no container names is left out: the init container's own value stands there.
     */
    private static ResourceRequirements podSums(PodSpec spec, java.util.Set<String> constrained) {
        if (constrained.isEmpty()) {
            return null;
        }
        Map<String, BigDecimal> requests = new java.util.TreeMap<>();
        Map<String, BigDecimal> limits = new java.util.TreeMap<>();
        List<Container> running = new ArrayList<>(nonNull(spec.getContainers()));
        for (Container init : nonNull(spec.getInitContainers())) {
            if (init != null && "Always".equals(init.getRestartPolicy())) {
                running.add(init);
            }
        }
        for (Container container : running) {
            if (container == null || container.getResources() == null) {
                continue;
            }
            for (String resource : constrained) {
                add(requests, resource, container.getResources().getRequests());
                add(limits, resource, container.getResources().getLimits());
            }
        }
        return new ResourceRequirements(null, quantities(limits), quantities(requests));
    }

    private static void add(Map<String, BigDecimal> sums, String resource, Map<String, Quantity> values) {
        BigDecimal amount = values == null ? null : ContainerLimits.amount(values.get(resource));
        if (amount != null) {
            sums.merge(resource, amount, BigDecimal::add);
        }
    }

    private static Map<String, Quantity> quantities(Map<String, BigDecimal> amounts) {
        Map<String, Quantity> out = new java.util.TreeMap<>();
        amounts.forEach((resource, amount) -> out.put(resource, ContainerLimits.quantity(resource, amount)));
        return out;
    }

    /**
     * The prober copies itself ({@code prober install DEST}), so the image needs no shell or {@code cp}. It runs
     * under the restricted Pod Security Standard whatever the pod allows, and asks for little: it lives a few
     * milliseconds, but its requests count toward the pod's.
     *
     * @param setUser whether to name the user ({@link #NON_ROOT_USER}), for a pod that runs as root
     */
    private static Container initContainer(String image, boolean setUser) {
        return new ContainerBuilder()
                .withName(ProberInjection.NAME)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/prober", "install", ProberInjection.BINARY)
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m"))
                .addToRequests("memory", new Quantity("16Mi"))
                .addToLimits("cpu", new Quantity("100m"))
                .addToLimits("memory", new Quantity("32Mi"))
                .endResources()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(setUser ? NON_ROOT_USER : null)
                .withRunAsGroup(setUser ? NON_ROOT_USER : null)
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withVolumeMounts(new VolumeMountBuilder().withName(ProberInjection.NAME)
                        .withMountPath(ProberInjection.MOUNT_PATH).build())
                .build();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
