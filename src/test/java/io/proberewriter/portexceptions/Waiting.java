package io.proberewriter.portexceptions;

import io.proberewriter.polling.Eventually;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The port-exception tests' patience with the mock API server, the informers and the reconcilers. */
final class Waiting {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Waiting() {
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Eventually.until(what, TIMEOUT, condition);
    }

    /** Waits for the value to be there, and returns it. */
    static <T> T waitFor(Supplier<Optional<T>> value, String what) throws InterruptedException {
        AtomicReference<T> found = new AtomicReference<>();
        Eventually.until(what, TIMEOUT, () -> value.get().map(v -> {
            found.set(v);
            return true;
        }).orElse(false));
        return found.get();
    }
}
