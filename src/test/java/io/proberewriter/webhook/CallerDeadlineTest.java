package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The API server's {@code timeout} parameter, in Go's duration format, and the wait it leaves. */
class CallerDeadlineTest {

    @Test
    void durationsAsTheApiServerWritesThem() {
        assertEquals(OptionalLong.of(5_000), CallerDeadline.millis("5s"));
        assertEquals(OptionalLong.of(30_000), CallerDeadline.millis("30s"));
        assertEquals(OptionalLong.of(60_000), CallerDeadline.millis("1m0s"));
        assertEquals(OptionalLong.of(123_500), CallerDeadline.millis("2m3.5s"));
        assertEquals(OptionalLong.of(3_600_000), CallerDeadline.millis("1h0m0s"));
        assertEquals(OptionalLong.of(1_500), CallerDeadline.millis("1.5s"));
        assertEquals(OptionalLong.of(500), CallerDeadline.millis("500ms"));
        assertEquals(OptionalLong.of(2), CallerDeadline.millis("2000µs"));
        assertEquals(OptionalLong.of(0), CallerDeadline.millis("0s"));
    }

    @Test
    void anythingElseLeavesTheDeadlineUnknown() {
        for (String bad : new String[] {null, "", "5", "s", "-5s", "5 s", "5sec", "5s ", "1e3s", "5s5", ".s",
            "9".repeat(70) + "s"}) {
            assertEquals(OptionalLong.empty(), CallerDeadline.millis(bad), String.valueOf(bad));
        }
        assertEquals(OptionalLong.of(3_600_000), CallerDeadline.millis("99999999h"), "capped, not overflowed");
    }

    @Test
    void theWaitIsWhatTheCallerLeavesForIt() {
        assertEquals(10_000, CallerDeadline.waitMillis(null, 0, 1_000, 10_000), "no deadline: the longest wait");
        assertEquals(10_000, CallerDeadline.waitMillis("junk", 0, 1_000, 10_000));
        assertEquals(3_800, CallerDeadline.waitMillis("5s", 200, 1_000, 10_000));
        assertEquals(10_000, CallerDeadline.waitMillis("30s", 200, 1_000, 10_000));
        assertEquals(0, CallerDeadline.waitMillis("1s", 200, 1_000, 10_000), "no time left: only what is free now");
    }
}
