package io.proberewriter.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stopping leader gives its Lease up even when its own last renewal, still on its way when java-operator-sdk
 * cancelled the elector, lands around our write: the API server's answers are scripted, in the order the race
 * produces them.
 */
@EnableKubernetesMockClient
class LeaseReleaseTest {

    private static final String NAMESPACE = "probe-rewriter-system";
    private static final String NAME = "probe-rewriter-operator";
    private static final String PATH = "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases/" + NAME;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T01:00:00Z"), ZoneOffset.UTC);

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void aRenewalThatLandsBetweenOurReadAndOurWriteIsReadAgainAndTheLeaseGivenUp() throws Exception {
        answerGet(lease("replica-a", "1"));
        answerPut(409);
        answerGet(lease("replica-a", "2")); // our own renewal, landed first
        answerPut(200);
        answerGet(lease("", "3"));

        assertTrue(release("replica-a"));

        List<Lease> writes = writes();
        assertEquals(2, writes.size(), "written again after the conflict");
        Lease last = writes.get(1);
        assertEquals("2", last.getMetadata().getResourceVersion(), "the second write is based on the renewed Lease");
        assertEquals("", last.getSpec().getHolderIdentity());
        assertEquals(1, last.getSpec().getLeaseDurationSeconds());
    }

    @Test
    void aRenewalThatTakesTheLeaseBackAfterItWasGivenUpIsUndone() throws Exception {
        answerGet(lease("replica-a", "1"));
        answerPut(200);
        answerGet(lease("replica-a", "3")); // the renewal read the given-up Lease and took it
        answerPut(200);
        answerGet(lease("", "5"));

        assertTrue(release("replica-a"));

        assertEquals(2, writes().size(), "given up again after it was taken back");
    }

    @Test
    void aLeaseSomeoneElseHoldsIsNotWritten() throws Exception {
        answerGet(lease("replica-b", "1"));

        assertFalse(release("replica-a"));

        assertEquals(List.of(), writes());
    }

    @Test
    void conflictsWithoutEndStopAfterBoundedWritesAndTheLeaseIsLeftToExpire() throws Exception {
        server.expect().get().withPath(PATH).andReturn(200, lease("replica-a", "1")).always();
        server.expect().put().withPath(PATH).andReturn(409, conflict()).always();

        assertFalse(release("replica-a"));

        assertEquals(LeaseRelease.WRITES, writes().size());
    }

    @Test
    void aWriteRefusedForAnotherReasonIsNotRepeated() throws Exception {
        answerGet(lease("replica-a", "1"));
        server.expect().put().withPath(PATH).andReturn(403, new StatusBuilder().withCode(403)
                .withReason("Forbidden").withMessage("leases is forbidden").build()).always();

        assertFalse(release("replica-a"));

        assertEquals(1, writes().size());
    }

    private boolean release(String identity) {
        return LeaseRelease.release(client, NAMESPACE, NAME, identity, CLOCK, Duration.ZERO);
    }

    private void answerGet(Lease lease) {
        server.expect().get().withPath(PATH).andReturn(200, lease).once();
    }

    private void answerPut(int code) {
        if (code == 409) {
            server.expect().put().withPath(PATH).andReturn(409, conflict()).once();
        } else {
            server.expect().put().withPath(PATH).andReturn(code, lease("", "written")).once();
        }
    }

    private List<Lease> writes() throws InterruptedException {
        List<Lease> writes = new ArrayList<>();
        for (int taken = server.getRequestCount(); taken > 0; taken--) {
            RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
            if ("PUT".equals(request.getMethod())) {
                writes.add(Serialization.unmarshal(request.getBody().readUtf8(), Lease.class));
            }
        }
        return writes;
    }

    private static Lease lease(String holder, String resourceVersion) {
        ZonedDateTime renewed = ZonedDateTime.now(CLOCK).minusSeconds(2);
        return new LeaseBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .withResourceVersion(resourceVersion).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(30)
                .withAcquireTime(renewed).withRenewTime(renewed).endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.Status conflict() {
        return new StatusBuilder().withCode(409).withReason("Conflict")
                .withMessage("the object has been modified; please apply your changes to the latest version").build();
    }
}
