package io.proberewriter.transport;

import java.time.Duration;

/**
 * How long a request may take to arrive: its headers ({@code probe-rewriter.webhook.header-timeout}) and then its
 * body ({@code probe-rewriter.webhook.body-timeout}).
 */
record RequestTimeouts(Duration header, Duration body) {
}
