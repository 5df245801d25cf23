package io.proberewriter.webhook;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Collects the heap once, as the very last step of startup, before the HTTPS port opens. Startup leaves a young
 * generation full of what it built: its garbage, and the objects that live as long as the process (configuration,
 * caches, the warm-up's classes' data). Left there, they are copied by the first young collections under load, which
 * took 50–90 ms each over the wire (docs/benchmarks.md), against a few milliseconds for the collections after them;
 * collected here, the long-lived ones are moved out of the way while no admission waits. The cost is one full
 * collection of a small heap during startup.
 */
@Singleton
class HeapSettling {

    private static final Logger LOG = Logger.getLogger(HeapSettling.class);

    /** After every other startup observer (the warm-up admission included): the highest priority runs last. */
    void settle(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        long start = System.nanoTime();
        System.gc();
        LOG.debugf("Heap collected at the end of startup in %d ms", (System.nanoTime() - start) / 1_000_000);
    }
}
