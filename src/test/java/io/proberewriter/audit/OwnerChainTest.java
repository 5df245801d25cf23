package io.proberewriter.audit;

import static io.proberewriter.audit.AuditFixtures.controllerRef;
import static io.proberewriter.audit.AuditFixtures.deployment;
import static io.proberewriter.audit.AuditFixtures.ownedBy;
import static io.proberewriter.audit.AuditFixtures.replicaSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which controller a pod's restart is aimed at, over an in-memory set of objects. */
class OwnerChainTest {

    /** What the lookup holds, and what it was asked for: a pod whose restart is ruled out early costs no read. */
    private final List<HasMetadata> objects = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();

    private final OwnerChain.Lookup lookup = (namespace, owner) -> {
        asked.add(owner.getKind() + " " + owner.getName());
        return objects.stream().filter(o -> o.getKind().equals(owner.getKind())
                && o.getMetadata().getName().equals(owner.getName())
                && namespace.equals(o.getMetadata().getNamespace())).findFirst();
    };

    private static Pod pod() {
        return AuditFixtures.pod("shop", "httpbin-abc-1", Map.of());
    }

    private static String why(RestartTarget target) {
        return assertInstanceOf(RestartTarget.None.class, target).why();
    }

    @Test
    void podOfADeploymentLeadsToTheDeployment() {
        Deployment deployment = deployment("shop", "httpbin");
        ReplicaSet rs = replicaSet(deployment, "httpbin-abc");
        objects.addAll(List.of(deployment, rs));
        RestartTarget target = OwnerChain.resolve(ownedBy(pod(), rs), lookup);
        assertSame(deployment, assertInstanceOf(RestartTarget.Controller.class, target).workload());
    }

    @Test
    void aPodOfAnOlderReplicaSetIsLeftToTheRolloutAlreadyReplacingIt() {
        Deployment deployment = new DeploymentBuilder(deployment("shop", "web")).editMetadata()
                .addToAnnotations("deployment.kubernetes.io/revision", "3").endMetadata().build();
        ReplicaSet old = new ReplicaSetBuilder(replicaSet(deployment, "web-old")).editMetadata()
                .addToAnnotations("deployment.kubernetes.io/revision", "2").endMetadata().build();
        ReplicaSet current = new ReplicaSetBuilder(replicaSet(deployment, "web-new")).editMetadata()
                .addToAnnotations("deployment.kubernetes.io/revision", "3").endMetadata().build();
        objects.addAll(List.of(deployment, old, current));

        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), old), lookup)).contains("older revision"));
        assertSame(deployment, assertInstanceOf(RestartTarget.Controller.class,
                OwnerChain.resolve(ownedBy(pod(), current), lookup)).workload());
    }

    @Test
    void aReplicaSetWithoutDeploymentIsNotRestarted() {
        ReplicaSet rs = new ReplicaSetBuilder(replicaSet(deployment("shop", "gone"), "lonely"))
                .editMetadata().withOwnerReferences(List.of()).endMetadata().build();
        objects.add(rs);
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), rs), lookup)).contains("without a Deployment"));
    }

    @Test
    void aReplicaSetOfAnotherControllerIsNotRestarted() {
        HasMetadata rollout = new GenericKubernetesResourceBuilder().withApiVersion("argoproj.io/v1alpha1")
                .withKind("Rollout").withNewMetadata().withNamespace("shop").withName("canary").withUid("r-1")
                .endMetadata().build();
        ReplicaSet rs = new ReplicaSetBuilder(replicaSet(deployment("shop", "x"), "canary-1"))
                .editMetadata().withOwnerReferences(controllerRef(rollout)).endMetadata().build();
        objects.add(rs);
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), rs), lookup)).contains("Rollout canary"));
        assertEquals(List.of("ReplicaSet canary-1"), asked, "the Rollout itself is never read");
    }

    @Test
    void statefulSetAndDaemonSetAreRestartedDirectly() {
        StatefulSet sts = new StatefulSetBuilder().withNewMetadata().withNamespace("shop").withName("db").withUid("s-1")
                .endMetadata().withNewSpec().withPodManagementPolicy("Parallel").endSpec().build();
        DaemonSet ds = new DaemonSetBuilder().withNewMetadata().withNamespace("shop").withName("agent").withUid("d-1")
                .endMetadata().withNewSpec().endSpec().build();
        objects.addAll(List.of(sts, ds));
        assertSame(sts, assertInstanceOf(RestartTarget.Controller.class,
                OwnerChain.resolve(ownedBy(pod(), sts), lookup)).workload());
        assertSame(ds, assertInstanceOf(RestartTarget.Controller.class,
                OwnerChain.resolve(ownedBy(pod(), ds), lookup)).workload());
    }

    @Test
    void onDeleteStrategiesAndPausedDeploymentsAreNotRestarted() {
        StatefulSet sts = new StatefulSetBuilder().withNewMetadata().withNamespace("shop").withName("db").withUid("s-1")
                .endMetadata().withNewSpec().withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().endSpec()
                .build();
        DaemonSet ds = new DaemonSetBuilder().withNewMetadata().withNamespace("shop").withName("agent").withUid("d-1")
                .endMetadata().withNewSpec().withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().endSpec()
                .build();
        Deployment paused = new DeploymentBuilder(deployment("shop", "paused")).editSpec().withPaused(true).endSpec()
                .build();
        ReplicaSet rs = replicaSet(paused, "paused-1");
        objects.addAll(List.of(sts, ds, paused, rs));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), sts), lookup)).contains("OnDelete"));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), ds), lookup)).contains("OnDelete"));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), rs), lookup)).contains("paused"));
    }

    @Test
    void statefulSetsWhoseRollingUpdateWouldNotReplaceABrokenPodAreNotRestarted() {
        // OrderedReady (the default) waits for every pod to be Ready; a partition leaves the pods below it alone.
        StatefulSet ordered = new StatefulSetBuilder().withNewMetadata().withNamespace("shop").withName("db")
                .withUid("s-1").endMetadata().withNewSpec().withPodManagementPolicy("OrderedReady").endSpec().build();
        StatefulSet partitioned = new StatefulSetBuilder().withNewMetadata().withNamespace("shop").withName("cache")
                .withUid("s-2").endMetadata().withNewSpec().withPodManagementPolicy("Parallel").withNewUpdateStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withPartition(2).endRollingUpdate()
                .endUpdateStrategy().endSpec().build();
        objects.addAll(List.of(ordered, partitioned));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), ordered), lookup)).contains("OrderedReady"));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), partitioned), lookup)).contains("partition of 2"));
    }

    @Test
    void barePodsAndJobPodsAreNotRestarted() {
        assertTrue(why(OwnerChain.resolve(pod(), lookup)).contains("bare pod"));
        Job job = new JobBuilder().withNewMetadata().withNamespace("shop").withName("migrate").withUid("j-1")
                .endMetadata().build();
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), job), lookup)).contains("Job"));
        assertEquals(List.of(), asked, "neither needs a read");
    }

    @Test
    void anOwnerThatIsNotTheControllerDoesNotCount() {
        Deployment deployment = deployment("shop", "httpbin");
        objects.add(deployment);
        Pod pod = new PodBuilder(pod()).editMetadata().addToOwnerReferences(new OwnerReferenceBuilder(
                controllerRef(deployment)).withController(false).build()).endMetadata().build();
        assertTrue(why(OwnerChain.resolve(pod, lookup)).contains("bare pod"));
    }

    @Test
    void anOwnerReplacedByANamesakeIsGone() {
        Deployment deployment = deployment("shop", "httpbin");
        ReplicaSet rs = replicaSet(deployment, "httpbin-abc");
        Deployment namesake = new DeploymentBuilder(deployment).editMetadata().withUid("another").endMetadata().build();
        objects.addAll(List.of(namesake, rs));
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), rs), lookup)).contains("no longer exists"));
        objects.clear();
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), rs), lookup)).contains("ReplicaSet httpbin-abc no longer exists"));
    }

    @Test
    void otherOwnersAreNotRestarted() {
        HasMetadata node = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Node")
                .withNewMetadata().withName("node-1").withUid("n-1").endMetadata().build();
        assertTrue(why(OwnerChain.resolve(ownedBy(pod(), node), lookup)).contains("Node node-1"));
        assertEquals(List.of(), asked);
    }
}
