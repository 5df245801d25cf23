package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class VersionFlagTest {

    /** Every command's usage offers -V: each prints the version, as the top command does, not nothing. */
    @Test
    void everyCommandPrintsTheVersion() {
        CliRun top = CliRun.of("--version");
        assertFalse(top.out().isBlank(), "the top command prints a version");
        for (String command : new String[] {"rewrite", "analyze", "serve", "operate"}) {
            CliRun run = CliRun.of(command, "-V");
            assertEquals(ExitCodes.OK, run.exitCode(), command + ": " + run.err());
            assertEquals(top.out(), run.out(), command);
        }
    }
}
