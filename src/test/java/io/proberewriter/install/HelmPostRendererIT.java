package io.proberewriter.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Helm 4 post-renderer plugin ({@code k8s/helm/post-renderer}) as a user installs it: copied into Helm's
 * plugin folder, with the README's launcher {@code target/probe-rewriter} on PATH, run by a real {@code helm template}
 * on a chart of one Deployment. Needs the packaged CLI (failsafe) and helm ({@code target/tools}, as .ci/run installs
 * it).
 */
class HelmPostRendererIT {

    private static final Path PLUGIN = Path.of("k8s/helm/post-renderer");
    private static final Path CHART = Path.of("src/test/resources/helm/post-renderer-demo");
    private static final Path LAUNCHER = Path.of("target/probe-rewriter");

    @TempDir
    static Path home;

    private static Path helm;

    @BeforeAll
    static void installThePlugin() throws IOException {
        helm = Path.of(System.getProperty("helm.path", "target/tools/helm/helm"));
        String missing = "no helm at " + helm.toAbsolutePath() + "; .ci/run installs it in target/tools";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(Files.isExecutable(helm), missing);
        }
        assumeTrue(Files.isExecutable(helm), missing);
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is not an executable file: package first");
        Path installed = Files.createDirectories(home.resolve("plugins/probe-rewriter"));
        Files.copy(PLUGIN.resolve("plugin.yaml"), installed.resolve("plugin.yaml"));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run helmTemplate(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helm.toAbsolutePath().toString(), "template", "shop",
                CHART.toString(), "--post-renderer", "probe-rewriter"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "helm", ".out");
        Path err = Files.createTempFile(home, "helm", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("HELM_PLUGINS", home.resolve("plugins").toString());
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        builder.environment().put("PATH", LAUNCHER.toAbsolutePath().getParent() + File.pathSeparator
                + System.getenv("PATH"));
        builder.environment().put("JAVA_HOME", Path.of(ProcessHandle.current().info().command().orElseThrow())
                .getParent().getParent().toString());
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theReleaseIsRewrittenInExecModeByDefault() throws Exception {
        Run run = helmTemplate();
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("probe-rewriter.io/status: \"rewrote 1 probe: app/liveness exec\""), run.out());
        assertTrue(run.out().contains("- /probe-rewriter/prober"), run.out());
        assertTrue(run.out().contains("name: probe-rewriter-prober"), "the prober's init container: " + run.out());
        assertTrue(run.out().contains("livenessProbe:\n          exec:"), run.out());
    }

    @Test
    void argumentsGoToRewrite() throws Exception {
        Run run = helmTemplate("--set", "healthPort=health", "--post-renderer-args", "--mode",
                "--post-renderer-args", "port", "--post-renderer-args", "--allowed-health-ports=8081");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("probe-rewriter.io/status: \"rewrote 1 probe: app/liveness port\""), run.out());
        assertTrue(run.out().contains("port: health"), run.out());
    }

    @Test
    void badArgumentsFailTheRelease() throws Exception {
        Run run = helmTemplate("--post-renderer-args", "--mode", "--post-renderer-args", "fast");
        assertNotEquals(0, run.exit(), run.out());
        assertTrue(run.err().contains("probe-rewriter"), run.err());
        assertFalse(run.out().contains("kind: Deployment"), "nothing is rendered: " + run.out());
    }
}
