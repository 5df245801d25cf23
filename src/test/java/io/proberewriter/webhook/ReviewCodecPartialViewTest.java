package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pod the webhook reads is a partial view: what the engine reads is bound, the rest is skipped without being
 * built. Of volumes, only the name and an emptyDir (how the prober's own volume is told apart from a user's of the
 * same name); a projected service-account token, which every pod has, is not bound. Of the pod's security context,
 * only {@code runAsUser}.
 */
class ReviewCodecPartialViewTest {

    private static final String POD = """
            {"metadata":{"name":"p","managedFields":[{"manager":"kubectl","operation":"Update"}]},
             "spec":{"volumes":[
               {"name":"kube-api-access-x7k2p","projected":{"defaultMode":420,"sources":[
                 {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                 {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}]}},
               {"name":"probe-rewriter-prober","hostPath":{"path":"/opt/prober"}},
               {"name":"scratch","emptyDir":{"medium":"Memory"}}],
              "securityContext":{"runAsUser":0,"fsGroup":2000,"seLinuxOptions":{"level":"s0:c26,c5"}},
              "containers":[{"name":"app","image":"example/app:1","terminationMessagePolicy":"File",
               "env":[{"name":"A","value":"1"}],
               "livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}}""";

    /** The first body is small (the symbol table's parser), the second padded past 64 KiB (the large bodies' one). */
    @ParameterizedTest
    @ValueSource(ints = {0, 70_000})
    void bindsWhatTheEngineReadsAndSkipsTheRest(int padding) throws Exception {
        var pod = Reviews.JSON.readTree(POD);
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata")).putObject("labels")
                .put("padding", "x".repeat(padding));
        byte[] body = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);

        Pod read = ReviewCodec.read(body).pod();

        List<Volume> volumes = read.getSpec().getVolumes();
        assertEquals(List.of("kube-api-access-x7k2p", "probe-rewriter-prober", "scratch"),
                volumes.stream().map(Volume::getName).toList());
        assertNull(volumes.get(0).getProjected(), "the token's sources are skipped");
        assertNull(volumes.get(1).getHostPath(), "a user's volume of the prober's name: only that it is no emptyDir");
        assertNull(volumes.get(1).getEmptyDir());
        assertEquals("Memory", volumes.get(2).getEmptyDir().getMedium());
        assertEquals(List.of(), orEmpty(read.getMetadata().getManagedFields()), "managed fields are skipped");
        assertEquals(0L, read.getSpec().getSecurityContext().getRunAsUser(), "whether the pod runs as root is read");
        assertNull(read.getSpec().getSecurityContext().getFsGroup(), "the rest of its security context is skipped");
        assertNull(read.getSpec().getSecurityContext().getSeLinuxOptions());
        Container app = read.getSpec().getContainers().get(0);
        assertEquals(List.of(), orEmpty(app.getEnv()), "env vars are skipped");
        assertNull(app.getImage(), "the image is skipped");
        assertNull(app.getTerminationMessagePolicy(), "the termination message's policy is skipped");
        assertNotNull(app.getLivenessProbe().getHttpGet());
    }

    /** fabric8's lists start empty, not null: either way nothing was bound. */
    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
