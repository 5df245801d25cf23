package io.proberewriter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.proberewriter.engine.ProbeKind;
import io.proberewriter.operator.WarningEventsAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The restart reads the controller again just before it patches it: a Deployment deleted and created again under the
 * same name since the pod's owners were resolved is another Deployment, whose pods are not the broken pod's, and is
 * left alone; the one the pod belongs to is restarted.
 */
@EnableKubernetesMockClient(crud = true)
class ControllerRestartsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final Duration INTERVAL = Duration.ofHours(1);
    private static final PodFinding BROKEN = new PodFinding(PodFinding.Verdict.BROKEN, Set.of(ProbeKind.LIVENESS),
            PodFinding.Remediation.RESTART_CONTROLLER, List.of(), "the liveness probe is refused by mTLS");

    KubernetesClient client;

    @Test
    void theDeploymentThePodBelongsToIsRestarted() {
        ControllerRestarts restarts = restarts();
        Pod pod = podOf(deployment("shop"));
        RestartTarget.Controller target = assertInstanceOf(RestartTarget.Controller.class, restarts.target(pod));

        assertEquals(ControllerRestarts.Restart.MADE, restarts.restartIfDue(target, pod, BROKEN, NOW, INTERVAL));
        assertEquals(RestartSchedule.stamp(NOW), restartedAt(current("shop")));
    }

    @Test
    void aDeploymentCreatedAgainUnderTheSameNameIsNotRestarted() {
        ControllerRestarts restarts = restarts();
        Deployment original = deployment("outlet");
        Pod pod = podOf(original);
        RestartTarget.Controller target = assertInstanceOf(RestartTarget.Controller.class, restarts.target(pod));

        // Between the resolution of the pod's owners and the restart, someone deletes the Deployment and applies it
        // again: same name, another object.
        client.resource(original).delete();
        Deployment again = deployment("outlet");
        assertNotEquals(original.getMetadata().getUid(), again.getMetadata().getUid());

        assertEquals(ControllerRestarts.Restart.NOT_DUE, restarts.restartIfDue(target, pod, BROKEN, NOW, INTERVAL));
        assertNull(restartedAt(current("outlet")), "the new Deployment's pods are not the broken pod's");
    }

    private ControllerRestarts restarts() {
        return new ControllerRestarts(client, WarningEventsAccess.of(client, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    /** A Deployment named web, as the API server stores it (with the uid it gave it). */
    private Deployment deployment(String namespace) {
        return client.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(namespace)
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("example/web").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    /** A pod of the Deployment's ReplicaSet. */
    private Pod podOf(Deployment deployment) {
        String namespace = deployment.getMetadata().getNamespace();
        ReplicaSet replicaSet = client.resource(new ReplicaSetBuilder().withNewMetadata().withName("web-5d8f")
                .withNamespace(namespace).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                        .withKind("Deployment").withName("web").withUid(deployment.getMetadata().getUid())
                        .withController(true).build())
                .endMetadata().build()).create();
        return new PodBuilder().withNewMetadata().withName("web-5d8f-x2k4q").withNamespace(namespace)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                        .withName("web-5d8f").withUid(replicaSet.getMetadata().getUid()).withController(true)
                        .build())
                .endMetadata().build();
    }

    private Deployment current(String namespace) {
        return client.apps().deployments().inNamespace(namespace).withName("web").get();
    }

    private static String restartedAt(Deployment deployment) {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RestartSchedule.RESTARTED_AT);
    }
}
