package io.proberewriter.polling;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for something a cluster, an informer or a reconciler does in its own time: polls the condition until it
 * holds, and fails naming what never happened. A condition that throws (an object not created yet) counts as not
 * yet; the last exception is shown if time runs out.
 */
public final class Eventually {

    private static final long POLL_MILLIS = 25;

    private Eventually() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                last = notYet;
            }
            if (System.nanoTime() >= deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + (last == null ? "" : " (last attempt: " + last + ")"));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
