package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How the route gathers a body: whole and in order, however it is split, and never past the limit. */
class BodyCollectorTest {

    @Test
    void chunksOfAnUnknownTotalAreGatheredInOrderPastTheFirstGuess() {
        byte[] body = new byte[100_000];
        new Random(7).nextBytes(body);
        MutateRoute.BodyCollector collector = new MutateRoute.BodyCollector(-1, 1 << 20);
        for (int at = 0; at < body.length; at += 777) {
            assertTrue(collector.add(Buffer.buffer(java.util.Arrays.copyOfRange(body, at, Math.min(body.length,
                    at + 777)))));
        }
        assertArrayEquals(body, collector.bytes());
    }

    @Test
    void aDeclaredLengthIsFilledExactlyAndABodyThatCameShortIsWhatArrived() {
        MutateRoute.BodyCollector whole = new MutateRoute.BodyCollector(10, 100);
        whole.add(Buffer.buffer("01234"));
        whole.add(Buffer.buffer("56789"));
        assertArrayEquals("0123456789".getBytes(StandardCharsets.US_ASCII), whole.bytes());

        MutateRoute.BodyCollector cut = new MutateRoute.BodyCollector(10, 100);
        cut.add(Buffer.buffer("0123"));
        assertArrayEquals("0123".getBytes(StandardCharsets.US_ASCII), cut.bytes());
    }

    @Test
    void theLimitIsTheLastByteAcceptedAndNothingIsKeptBeyondIt() {
        MutateRoute.BodyCollector collector = new MutateRoute.BodyCollector(-1, 8);
        assertTrue(collector.add(Buffer.buffer("12345678")));
        assertFalse(collector.overLimit());
        assertFalse(collector.add(Buffer.buffer("9")));
        assertTrue(collector.overLimit());
        assertFalse(collector.add(Buffer.buffer("more")), "a body over the limit stays refused");
    }
}
