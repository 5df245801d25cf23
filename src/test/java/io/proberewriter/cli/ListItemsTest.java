package io.proberewriter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The items of a list are objects as kubectl reads them: an item of a typed list that says neither apiVersion nor kind
 * (what the API server returns, {@code kubectl get --raw}) takes the list's apiVersion and the kind the list is named
 * for; anything else that is not a Kubernetes object is an error naming the item, never skipped in silence.
 */
class ListItemsTest {

    @TempDir
    Path dir;

    private static final String DEPLOYMENT_ITEM = "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"template\":{\"spec\":"
            + "{\"containers\":[{\"name\":\"app\",\"image\":\"example/app:1.0\",\"livenessProbe\":{\"httpGet\":"
            + "{\"path\":\"/healthz\",\"port\":8080}}}]}}}}";

    private CliRun run(String command, String content) throws IOException {
        Path file = Files.writeString(dir.resolve("in.json"), content);
        return CliRun.of(command, "-f", file.toString());
    }

    @Test
    void itemsOfATypedListTakeTheirKindFromTheList() throws IOException {
        String list = "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeploymentList\",\"items\":[" + DEPLOYMENT_ITEM + "]}";
        CliRun analyze = run("analyze", list);
        assertEquals(ExitCodes.FINDINGS, analyze.exitCode(), analyze.err());
        assertTrue(analyze.out().startsWith("The pod deployment/web in namespace default uses liveness probe"),
                analyze.out());
        CliRun rewrite = run("rewrite", list);
        assertEquals(ExitCodes.OK, rewrite.exitCode(), rewrite.err());
        assertTrue(rewrite.out().contains("exec:"), rewrite.out());
        // The item is read as kubectl reads it, and written back as it was: no kind is added to it.
        assertFalse(rewrite.out().contains("kind: Deployment\n"), rewrite.out());
    }

    @Test
    void aTypedListsNamespaceItemsApplyToo() throws IOException {
        String input = "{\"apiVersion\":\"v1\",\"kind\":\"NamespaceList\",\"items\":[{\"metadata\":{\"name\":\"shop\","
                + "\"annotations\":{\"probe-rewriter.io/mode\":\"off\"}}}]}\n"
                + "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeploymentList\",\"items\":["
                + DEPLOYMENT_ITEM.replace("{\"name\":\"web\"}", "{\"name\":\"web\",\"namespace\":\"shop\"}") + "]}";
        CliRun analyze = run("analyze", input);
        assertEquals(ExitCodes.FINDINGS, analyze.exitCode(), analyze.err());
        assertTrue(analyze.out().contains("mode off (namespace annotation probe-rewriter.io/mode)"), analyze.out());
    }

    @Test
    void itemsThatAreNotObjectsAreErrorsNamingTheItem() throws IOException {
        assertBadItem(run("analyze", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[5]}"),
                "in.json, document 1 (List), items[0]: number 5, not a Kubernetes object");
        assertBadItem(run("rewrite", "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeploymentList\",\"items\":["
                + DEPLOYMENT_ITEM + ", \"web\"]}"),
                "in.json, document 1 (DeploymentList), items[1]: the string \"web\", not a Kubernetes object");
        // A v1 List names no kind for its items: each must say its own, as kubectl requires.
        assertBadItem(run("analyze", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + DEPLOYMENT_ITEM + "]}"),
                "in.json, document 1 (List), items[0]: not a Kubernetes object: apiVersion and kind are not set");
        // An item that says one of the two gets nothing from the list.
        assertBadItem(run("analyze", "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeploymentList\",\"items\":["
                + DEPLOYMENT_ITEM.replaceFirst("\\{", "{\"apiVersion\":\"apps/v1\",") + "]}"),
                "in.json, document 1 (DeploymentList), items[0]: not a Kubernetes object: kind is not set");
        // Lists in lists, and lists of any group.
        assertBadItem(run("rewrite", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":"
                + "\"example.com/v1\",\"kind\":\"WidgetList\",\"items\":[{}, [1]]}]}"),
                "in.json, document 1 (List), items[0].items[1]: a list, not a Kubernetes object");
    }

    private static void assertBadItem(CliRun run, String message) {
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("error: ") && run.err().strip().endsWith(message), run.err());
    }
}
