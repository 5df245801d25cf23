package io.proberewriter.tls;

import java.time.Instant;

/**
 * Runs an action at a moment of the certificates' clock, off the event loop. In service a Vert.x timer; a test
 * runs the actions itself as it steps its clock past them, instead of waiting.
 */
@FunctionalInterface
interface Wakeups {

    void at(Instant when, Runnable action);
}
