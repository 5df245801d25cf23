package io.proberewriter.webhook;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How much of the heap the requests in flight may hold, so that no burst of large pods can exhaust it.
 *
 * <p>The API server sends pods of up to 3 MiB, and several at once when several are created at once. Reading one
 * into the Kubernetes model holds about twenty times its size while it is handled: a pod of 52,595 one-probe
 * containers needs 45–75 MiB of heap (measured: it is answered with a 96 MiB heap and not with 64 MiB). Before this
 * budget eight such pods sent together exhausted the heap (then 384 MiB) and ended the process, and every other
 * pod went unrewritten while it restarted. Two budgets, each a share of the maximum heap:
 *
 * <ul>
 *   <li><b>bodies</b>: the bytes of every large body being received or waiting, reserved as they arrive (the
 *       declared length at once, for the array is that long). Never waited for: a request it cannot hold is refused
 *       with 429, and only a flood reaches it (fifteen bodies of 3 MiB with the Deployment's heap). Bodies small
 *       enough to be answered on the event loop hold none of it, so that a flood of large pods does not refuse
 *       ordinary ones;</li>
 *   <li><b>working sets</b>: {@value #WORKING_SET_PER_BODY_BYTE} times the body's size for every large body
 *       being handled, waited for in turn: large bodies are handled a few at a time, in order, and a burst is
 *       answered later rather than not at all.</li>
 * </ul>
 *
 * A reservation larger than its whole budget holds all of it: such a request is handled alone rather than never.
 * Permits are KiB, so that a budget of any heap fits in an {@code int}.
 */
final class RequestMemoryBudget {

    /** The heap a body's handling holds at most, per byte of the body: measured on the largest pods, rounded up. */
    static final int WORKING_SET_PER_BODY_BYTE = 24;

    /** Shares of the maximum heap: the rest is the application's own, the informers' caches and the GC's room. */
    static final double BODIES_SHARE = 0.15;
    static final double WORKING_SETS_SHARE = 0.35;

    private static final long KIB = 1024;

    private final int bodyKib;
    private final int workingSetKib;
    private final Semaphore bodies;
    private final Semaphore workingSets;

    RequestMemoryBudget(long bodyBytes, long workingSetBytes) {
        this.bodyKib = kib(bodyBytes);
        this.workingSetKib = kib(workingSetBytes);
        this.bodies = new Semaphore(bodyKib);
        // Fair: a large body waiting for most of the budget is not overtaken forever by smaller ones.
        this.workingSets = new Semaphore(workingSetKib, true);
    }

    /** The budgets for a heap of at most {@code maxHeapBytes} ({@link Runtime#maxMemory()}). */
    static RequestMemoryBudget ofHeap(long maxHeapBytes) {
        return new RequestMemoryBudget((long) (maxHeapBytes * BODIES_SHARE),
                (long) (maxHeapBytes * WORKING_SETS_SHARE));
    }

    long bodyBudgetBytes() {
        return bodyKib * KIB;
    }

    long workingSetBudgetBytes() {
        return workingSetKib * KIB;
    }

    /** Bytes of bodies held now. */
    long bodyBytesHeld() {
        return (bodyKib - (long) bodies.availablePermits()) * KIB;
    }

    /** Bytes of working sets held now. */
    long workingSetBytesHeld() {
        return (workingSetKib - (long) workingSets.availablePermits()) * KIB;
    }

    /** A body of {@code bytes} so far, or null when the budget cannot hold it now. Grows with {@link Body#grow}. */
    Body reserveBody(long bytes) {
        int permits = permits(bytes, bodyKib);
        return bodies.tryAcquire(permits) ? new Body(permits) : null;
    }

    /**
     * The working set of a body of {@code bodyBytes}, waiting at most {@code waitMillis} for it; null when it did not
     * come in that time.
     */
    Held reserveWorkingSet(long bodyBytes, long waitMillis) throws InterruptedException {
        int permits = permits(bodyBytes * WORKING_SET_PER_BODY_BYTE, workingSetKib);
        return workingSets.tryAcquire(permits, waitMillis, TimeUnit.MILLISECONDS)
                ? new Held(workingSets, permits) : null;
    }

    private static int permits(long bytes, int budgetKib) {
        return (int) Math.max(1, Math.min(budgetKib, (bytes + KIB - 1) / KIB));
    }

    private static int kib(long bytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / KIB));
    }

    /** Permits given back once, whoever calls first: the end of the answer or the loss of the connection. */
    static class Held implements AutoCloseable {
        private final Semaphore from;
        private final AtomicBoolean released = new AtomicBoolean();
        int permits;

        Held(Semaphore from, int permits) {
            this.from = from;
            this.permits = permits;
        }

        boolean released() {
            return released.get();
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                from.release(permits);
            }
        }
    }

    /** A body's reservation, which grows with a body that declared no length. */
    final class Body extends Held {

        Body(int permits) {
            super(bodies, permits);
        }

        /** Holds {@code bytes} in all; false when the budget cannot, and then nothing more is held. */
        boolean grow(long bytes) {
            if (released()) {
                return false;
            }
            int wanted = permits(bytes, bodyKib) - permits;
            if (wanted <= 0) {
                return true;
            }
            if (!bodies.tryAcquire(wanted)) {
                return false;
            }
            permits += wanted;
            return true;
        }
    }
}
