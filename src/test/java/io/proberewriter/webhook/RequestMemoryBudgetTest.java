package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two budgets of {@link RequestMemoryBudget}: shares of the heap; bodies held up to their budget and refused
 * beyond it, growing with a body of no declared length; working sets waited for and given in turn; every
 * reservation given back once however often it is closed.
 */
class RequestMemoryBudgetTest {

    static final long MIB = 1024 * 1024;

    @Test
    void theBudgetsAreSharesOfTheMaximumHeap() {
        RequestMemoryBudget budget = RequestMemoryBudget.ofHeap(400 * MIB);
        assertEquals(60 * MIB, budget.bodyBudgetBytes());
        assertEquals(140 * MIB, budget.workingSetBudgetBytes());
    }

    @Test
    void bodiesAreHeldUpToTheBudgetAndRefusedBeyondIt() {
        RequestMemoryBudget budget = new RequestMemoryBudget(10 * MIB, 100 * MIB);
        RequestMemoryBudget.Body first = budget.reserveBody(4 * MIB);
        RequestMemoryBudget.Body second = budget.reserveBody(4 * MIB);
        assertNotNull(first);
        assertNotNull(second);
        assertEquals(8 * MIB, budget.bodyBytesHeld());
        assertNull(budget.reserveBody(3 * MIB), "2 MiB are left");

        first.close();
        first.close();
        assertEquals(4 * MIB, budget.bodyBytesHeld(), "given back once");
        assertNotNull(budget.reserveBody(3 * MIB));
    }

    @Test
    void aBodyOfNoDeclaredLengthGrowsItsReservation() {
        RequestMemoryBudget budget = new RequestMemoryBudget(10 * MIB, 100 * MIB);
        RequestMemoryBudget.Body chunked = budget.reserveBody(16 * 1024);
        assertTrue(chunked.grow(6 * MIB));
        assertTrue(chunked.grow(5 * MIB), "less than it holds: nothing more");
        assertEquals(6 * MIB, budget.bodyBytesHeld());
        RequestMemoryBudget.Body other = budget.reserveBody(3 * MIB);
        assertFalse(chunked.grow(8 * MIB), "past what the other body leaves");
        assertEquals(9 * MIB, budget.bodyBytesHeld(), "a refused growth takes nothing");

        other.close();
        assertTrue(chunked.grow(12 * MIB), "larger than the whole budget: it holds all of it");
        assertEquals(10 * MIB, budget.bodyBytesHeld());
        chunked.close();
        assertEquals(0, budget.bodyBytesHeld());
        assertFalse(chunked.grow(MIB), "a released body holds nothing more");
        assertEquals(0, budget.bodyBytesHeld());
    }

    @Test
    void aWorkingSetIsTheBodyTimesItsFactorWaitedForInTurn() throws Exception {
        RequestMemoryBudget budget = new RequestMemoryBudget(10 * MIB,
                2 * MIB * RequestMemoryBudget.WORKING_SET_PER_BODY_BYTE);
        RequestMemoryBudget.Held first = budget.reserveWorkingSet(MIB, 0);
        assertNotNull(first);
        assertEquals(MIB * RequestMemoryBudget.WORKING_SET_PER_BODY_BYTE, budget.workingSetBytesHeld());
        RequestMemoryBudget.Held second = budget.reserveWorkingSet(MIB, 0);
        assertNotNull(second);
        assertNull(budget.reserveWorkingSet(MIB, 50), "the budget is taken: given up after the wait");

        CompletableFuture<RequestMemoryBudget.Held> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return budget.reserveWorkingSet(MIB, 10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "waits while the budget is taken");
        first.close();
        assertNotNull(waiting.get(5, TimeUnit.SECONDS), "given the working set once one is released");
    }

    @Test
    void aWorkingSetLargerThanTheBudgetWaitsForAllOfIt() throws Exception {
        RequestMemoryBudget budget = new RequestMemoryBudget(10 * MIB, 50 * MIB);
        RequestMemoryBudget.Held small = budget.reserveWorkingSet(1024, 0);
        assertNull(budget.reserveWorkingSet(10 * MIB, 50), "240 MiB wanted: all of the 50, of which some is held");
        small.close();
        RequestMemoryBudget.Held huge = budget.reserveWorkingSet(10 * MIB, 0);
        assertNotNull(huge, "handled alone rather than never");
        assertEquals(50 * MIB, budget.workingSetBytesHeld());
        huge.close();
        assertEquals(0, budget.workingSetBytesHeld());
    }
}
