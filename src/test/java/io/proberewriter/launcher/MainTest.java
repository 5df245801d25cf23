package io.proberewriter.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proberewriter.cli.OfflineCommandLine;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void offlineCommandsAndPrintOnlyOptionsDoNotServe() {
        assertTrue(Main.offline("rewrite", "-f", "x.yaml"));
        assertTrue(Main.offline("analyze", "-f", "-"));
        assertTrue(Main.offline("--version"));
        assertTrue(Main.offline("serve", "--help"), "serve --help must not need certificates");
        assertTrue(Main.offline("-h"));
    }

    @Test
    void servingIsTheDefault() {
        assertFalse(Main.offline());
        assertFalse(Main.offline("serve"));
        assertFalse(Main.operator());
        assertFalse(Main.operator("serve"));
    }

    @Test
    void serveAsDeployedSkipsPicocliAndAnythingMoreGoesThroughIt() {
        assertTrue(Main.servesAsDeployed());
        assertTrue(Main.servesAsDeployed("serve"));
        assertFalse(Main.servesAsDeployed("serve", "--bogus"), "picocli refuses it with the usage");
        assertFalse(Main.servesAsDeployed("--bogus"));
        assertFalse(Main.servesAsDeployed("operate"));
        assertFalse(Main.servesAsDeployed(ClassDataTraining.COMMAND), "prepared first: it then serves as serve");
    }

    @Test
    void aCommandLineTheCommandsDoNotTakeIsToldApartBeforeAnythingStarts() {
        for (String[] args : new String[][] {{"serve", "--bogus"}, {"operate", "--bogus"}, {"serv"},
                {"serve", "operate"}, {"--bogus"}}) {
            assertFalse(Main.parses(OfflineCommandLine.create(), args), String.join(" ", args));
        }
        for (String[] args : new String[][] {{}, {"serve"}, {"operate"}}) {
            assertTrue(Main.parses(OfflineCommandLine.create(), args), String.join(" ", args));
        }
        assertTrue(Main.operatesAsDeployed("operate"));
        assertFalse(Main.operatesAsDeployed("operate", "--bogus"));
    }

    @Test
    void operateRunsTheOperatorWithoutTheAdmissionPort() {
        assertTrue(Main.operator("operate"));
        assertFalse(Main.offline("operate"));
        assertTrue(Main.offline("operate", "--help"), "help only prints");
        assertFalse(Main.operator("rewrite", "operate"), "only as the command");
    }

    @Test
    void theClassDataTrainingIsACommandOfItsOwn() {
        assertTrue(Main.training(ClassDataTraining.COMMAND));
        assertFalse(Main.offline(ClassDataTraining.COMMAND), "it serves, so it is not offline");
        assertFalse(Main.training("serve", ClassDataTraining.COMMAND), "only as the command");
        assertFalse(Main.training(ClassDataTraining.COMMAND, "--port", "1"), "it takes no options");
        assertFalse(Main.training());
    }
}
