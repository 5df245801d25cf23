package io.proberewriter.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.proberewriter.engine.Annotations;
import io.proberewriter.engine.AppliedRewrite;
import io.proberewriter.engine.AssumeAllMtlsOracle;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.NamespaceView;
import io.proberewriter.engine.ProbeRewriter;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Pods, namespaces and controllers as the API server would hold them, with the owner references and uids a real
 * controller sets: the mock API server runs no controllers, so tests create each level themselves.
 */
final class AuditFixtures {

    /** The engine with the webhook's defaults and the assume-all resolver: every port counts as under mTLS. */
    static final ProbeRewriter ENGINE = new ProbeRewriter(GlobalSettings.defaults(), new AssumeAllMtlsOracle());

    private AuditFixtures() {
    }

    static Namespace namespace(String name, boolean optedIn, boolean remediate) {
        NamespaceBuilder builder = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (optedIn) {
            builder.editMetadata().addToLabels(Annotations.ENABLED_LABEL, "true").endMetadata();
        }
        if (remediate) {
            builder.editMetadata().addToAnnotations(Annotations.REMEDIATE, "true").endMetadata();
        }
        return builder.build();
    }

    /** The pod template of the seeds' httpbin: a liveness httpGet probe on port 8000. */
    static PodTemplateSpec httpbinTemplate(Map<String, String> annotations) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata().addToLabels("app", "httpbin").withAnnotations(new HashMap<>(annotations)).endMetadata()
                .withNewSpec().addNewContainer().withName("httpbin").withImage("docker.io/citizenstig/httpbin")
                .addNewPort().withContainerPort(8000).endPort()
                .withNewLivenessProbe().withNewHttpGet().withPath("/status/200").withPort(new IntOrString(8000))
                .endHttpGet().withInitialDelaySeconds(5).withPeriodSeconds(5).endLivenessProbe()
                .endContainer().endSpec().build();
    }

    static Pod pod(String namespace, String name, Map<String, String> annotations) {
        PodTemplateSpec template = httpbinTemplate(annotations);
        return new PodBuilder().withNewMetadataLike(template.getMetadata()).withNamespace(namespace).withName(name)
                .withUid(uid()).endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus().withPhase("Running").endStatus()
                .build();
    }

    /** The pod as the webhook would have admitted it: the engine's own rewrite applied. */
    static Pod rewritten(Pod pod, Namespace namespace) {
        return AppliedRewrite.apply(ENGINE.rewrite(pod, NamespaceView.of(namespace).context()), pod);
    }

    static Deployment deployment(String namespace, String name) {
        return new DeploymentBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid())
                .endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "httpbin").endSelector()
                .withTemplate(httpbinTemplate(Map.of())).endSpec()
                .build();
    }

    static ReplicaSet replicaSet(Deployment owner, String name) {
        ReplicaSetBuilder builder = new ReplicaSetBuilder().withNewMetadata()
                .withNamespace(owner.getMetadata().getNamespace()).withName(name).withUid(uid())
                .addToOwnerReferences(controllerRef(owner)).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "httpbin").endSelector()
                .withTemplate(httpbinTemplate(Map.of())).endSpec();
        return builder.build();
    }

    static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    static Pod ownedBy(Pod pod, HasMetadata owner) {
        return new PodBuilder(pod).editMetadata().addToOwnerReferences(controllerRef(owner)).endMetadata().build();
    }

    static String uid() {
        return UUID.randomUUID().toString();
    }
}
