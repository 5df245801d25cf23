package io.proberewriter.portexceptions;


import io.proberewriter.polling.Eventually;
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

    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        Eventually.until(what, TIMEOUT, condition);
    }

    static <T> T waitFor(java.util.function.Supplier<Optional<T>> value, String what) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<T> found = new java.util.concurrent.atomic.AtomicReference<>();
        Eventually.until(what, TIMEOUT, () -> value.get().map(v -> {
            found.set(v);
            return true;
        }).orElse(false));
        return found.get();
    }
}
