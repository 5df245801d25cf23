package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.proberewriter.json.Mappers;
import io.proberewriter.scale.ScalePods;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies over 64 KiB are read with the symbol table up to a number of new field names, and read again without it
 * past that number: either way the pod comes out whole, whatever the body is made of.
 */
class ReviewCodecLargeBodyTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 500, Mappers.LARGE_BODY_NEW_NAMES + 1, 20_000})
    void readsEveryAnnotationAndProbeOfALargePod(int distinctAnnotations) throws Exception {
        ObjectNode pod = ScalePods.withAnnotationsNamingNoContainer(distinctAnnotations, 3);
        ObjectNode container = (ObjectNode) pod.at("/spec/containers/0");
        // What makes a pod large without many names: env vars, which the webhook skips.
        var env = container.putArray("env");
        for (int i = 0; i < 2_000; i++) {
            env.addObject().put("name", "SETTING_" + i).put("value", "v".repeat(40));
        }
        byte[] body = Reviews.podCreate("default", pod).toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length > ReviewCodec.SMALL_BODY_BYTES);
        assertFalse(ReviewCodec.canonicalizable(body));

        ReviewRequest request = ReviewCodec.read(body);

        Pod read = request.pod();
        assertNull(request.podProblem());
        assertEquals(distinctAnnotations, read.getMetadata().getAnnotations() == null ? 0
                : read.getMetadata().getAnnotations().size());
        if (distinctAnnotations > 0) {
            assertEquals("exec", read.getMetadata().getAnnotations().get("probe-rewriter.io/mode.x"
                    + (distinctAnnotations - 1)));
        }
        assertEquals(3, read.getSpec().getContainers().size());
        for (Container each : read.getSpec().getContainers()) {
            assertEquals(8080, each.getLivenessProbe().getHttpGet().getPort().getIntVal());
            assertTrue(each.getEnv() == null || each.getEnv().isEmpty(), "env vars are skipped, not read");
        }
    }
}
