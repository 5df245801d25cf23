package io.proberewriter.operator;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * java-operator-sdk asks the API server whether it may use Leases before it elects a leader (a
 * SelfSubjectRulesReview); the mock server cannot work that out by itself. For tests that run {@code operate}.
 */
public final class LeaseRights {

    private LeaseRights() {
    }

    /** Every such question gets: get, create, update and patch on Leases. */
    public static void grantedBy(KubernetesMockServer server) {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .addToApiGroups("coordination.k8s.io").addToResources("leases")
                        .addToVerbs("get", "create", "update", "patch").endResourceRule().withIncomplete(false)
                        .endStatus().build())
                .always();
    }
}
