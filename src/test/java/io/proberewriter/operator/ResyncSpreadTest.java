package io.proberewriter.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResyncSpreadTest {

    private static final Duration PERIOD = Duration.ofMinutes(5);

    private static Pod pod(String uid) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName("web").withUid(uid).endMetadata()
                .build();
    }

    /** 30,000 pods come back over the minute after the period, about evenly, never before it. */
    @Test
    void spreadsObjectsEvenlyOverAFifthOfThePeriodAfterIt() {
        int[] perTenth = new int[10];
        for (int i = 0; i < 30_000; i++) {
            Duration delay = ResyncSpread.after(PERIOD, pod(UUID.randomUUID().toString()));
            assertTrue(delay.compareTo(PERIOD) >= 0 && delay.compareTo(PERIOD.plusMinutes(1)) < 0, delay.toString());
            perTenth[(int) ((delay.toMillis() - PERIOD.toMillis()) * 10 / Duration.ofMinutes(1).toMillis())]++;
        }
        for (int count : perTenth) {
            assertTrue(count > 2_400 && count < 3_600, java.util.Arrays.toString(perTenth));
        }
    }

    /** An object keeps its own cadence: the spread depends on it alone; one not yet given a uid, on its name. */
    @Test
    void theSameObjectComesBackAfterTheSameDelay() {
        String uid = UUID.randomUUID().toString();
        assertEquals(ResyncSpread.after(PERIOD, pod(uid)), ResyncSpread.after(PERIOD, pod(uid)));
        assertEquals(ResyncSpread.after(PERIOD, pod(null)), ResyncSpread.after(PERIOD, pod(null)));
    }
}
