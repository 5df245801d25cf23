package io.proberewriter.portexceptions;

/**
 * Retry of a failed reconciliation (API server away, a write refused), shared by the three reconcilers. The first
 * retries come quickly, for the usual brief conflict or timeout; then the interval grows to a few minutes, since a
 * lasting failure (RBAC missing, a webhook refusing the policy) is not fixed by hammering. After the last attempt
 * the workload waits for its next change or the resync period ({@link PortExceptionSync#afterFailure}: JOSDK alone
 * would wait for its maximum reconciliation interval, 10 hours).
 */
final class PortExceptionRetry {

    static final int MAX_ATTEMPTS = 10;
    static final long INITIAL_INTERVAL_MS = 1_000;
    static final double MULTIPLIER = 2.0;
    static final long MAX_INTERVAL_MS = 300_000;

    private PortExceptionRetry() {
    }
}
