package io.proberewriter.engine;

import java.util.List;

/**
 * Turns a kubelet HTTP check into the argument vector of an exec probe. No shell is involved: every value
 * travels as one argument, so paths and header values need no quoting and cannot inject anything.
 */
public interface HttpCheckCommand {

    /** The program that must exist in the container image. */
    String executable();

    /** @param os where the command runs, for what differs between systems (the null device) */
    List<String> argv(LocalHttpCheck check, PodOs os);
}
