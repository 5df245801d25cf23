package io.proberewriter.portexceptions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** What the port-exception reconcilers decided, so that a test can tell "decided: nothing" from "not yet". */
@ApplicationScoped
public class ReconciledLog {

    private final ConcurrentLinkedQueue<PortExceptionsReconciled> seen = new ConcurrentLinkedQueue<>();

    void record(@Observes PortExceptionsReconciled event) {
        seen.add(event);
    }

    /** The first decision on {@code kind namespace/name} made on at least {@code generation}, waiting for it. */
    PortExceptionsReconciled await(String kind, String namespace, String name, long generation) throws InterruptedException {
        Predicate<PortExceptionsReconciled> wanted = e -> e.kind().equals(kind) && e.namespace().equals(namespace)
                && e.name().equals(name) && (e.generation() == null || e.generation() >= generation);
        waitFor(() -> seen.stream().anyMatch(wanted), "a decision on " + kind + " " + namespace + "/" + name);
        return seen.stream().filter(wanted).findFirst().orElseThrow();
    }

    List<PortExceptionsReconciled> all() {
        return List.copyOf(seen);
    }

    static final long DEADLINE_NANOS = 30_000_000_000L;

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(25);
        }
    }

    static <T> T waitFor(java.util.function.Supplier<Optional<T>> value, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (true) {
            Optional<T> found = value.get();
            if (found.isPresent()) {
                return found.get();
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(25);
        }
    }
}
