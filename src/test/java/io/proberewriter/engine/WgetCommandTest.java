package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.argv;
import static io.proberewriter.engine.EngineFixtures.header;
import static io.proberewriter.engine.EngineFixtures.map;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.rewrite;
import static io.proberewriter.engine.EngineFixtures.withOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WgetCommandTest {

    private static HTTPGetAction get(String path, HTTPHeader... headers) {
        return new HTTPGetActionBuilder().withPort(new IntOrString(8080)).withPath(path)
                .withHttpHeaders(headers).build();
    }

    private static List<String> wget(HTTPGetAction get, Integer timeout) {
        LocalHttpCheck check = LocalHttpCheck.of(get, 8080, timeout, GlobalSettings.DEFAULT_USER_AGENT);
        return new WgetCommand().argv(check, PodOs.LINUX);
    }

    private static List<String> headers(List<String> argv) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv.get(i).equals("--header")) {
                out.add(argv.get(i + 1));
            }
        }
        return out;
    }

    @Test
    void simpleProbeThroughTheEngineGivesTheExactArgv() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/healthz")
                .endHttpGet().withTimeoutSeconds(3).build();
        RewriteResult result = rewrite(pod(map(Annotations.EXEC_COMMAND, "wget"), withOnly("web", probe)));

        assertEquals(List.of("wget", "-q", "-O", "/dev/null", "-Y", "off", "-U", "kube-probe/1.35",
                "--no-check-certificate", "--header", "Accept: */*", "http://localhost:8080/healthz"), argv(result, "web", ProbeKind.LIVENESS));
        assertEquals("wget", new WgetCommand().executable());
        // The exec probe's own timeoutSeconds bounds wget; it is kept on the probe.
        assertEquals(3, EngineFixtures.replacement(result, "web", ProbeKind.LIVENESS).getTimeoutSeconds());
    }

    @Test
    void httpsAddsNoCheckCertificate() {
        List<String> argv = wget(new HTTPGetActionBuilder(get("/healthz")).withScheme("HTTPS").build(), 1);
        assertEquals(List.of("wget", "-q", "-O", "/dev/null", "-Y", "off", "-U", "kube-probe/1.35",
                "--no-check-certificate", "--header", "Accept: */*", "https://localhost:8080/healthz"), argv);
        // The kubelet never verifies certificates, not even after a redirect from HTTP to HTTPS.
        assertTrue(wget(get("/healthz"), 1).contains("--no-check-certificate"));
    }

    @Test
    void noTimeoutFlagIsPassed() {
        List<String> argv = wget(get("/h"), 7);
        assertFalse(argv.contains("-T"), argv.toString());
        assertFalse(argv.stream().anyMatch(a -> a.startsWith("--timeout")), argv.toString());
    }

    @Test
    void headersKeepTheirOrderAndRepeats() {
        List<String> argv = wget(get("/h", header("X-B", "2"), header("X-A", "1"), header("X-B", "3")), 1);
        assertEquals(List.of("X-B: 2", "X-A: 1", "X-B: 3", "Accept: */*"), headers(argv));
    }

    @Test
    void probeUserAgentGoesToDashUAndOnlyTheFirstOneCounts() {
        List<String> argv = wget(get("/h", header("user-agent", "mine/1"), header("X-A", "1"),
                header("User-Agent", "second")), 1);
        assertEquals("mine/1", argv.get(argv.indexOf("-U") + 1));
        assertEquals(List.of("X-A: 1", "Accept: */*"), headers(argv), "User-Agent never travels as a header");
    }

    @Test
    void onlyTheFirstHostIsKeptAndProbeAcceptReplacesTheDefault() {
        List<String> argv = wget(get("/h", header("Host", "a.example"), header("accept", "text/plain"),
                header("HOST", "b.example")), 1);
        assertEquals(List.of("Host: a.example", "accept: text/plain"), headers(argv));
    }

    @Test
    void headerValueWithShellSyntaxStaysOneUntouchedArgument() {
        String value = "\"a b\" $(reboot) `id`";
        List<String> argv = wget(get("/h", header("X-Token", value)), 1);
        int at = argv.indexOf("X-Token: " + value);
        assertTrue(at > 0, argv.toString());
        assertEquals("--header", argv.get(at - 1));
    }

    @Test
    void pathIsNormalizedLikeCurl() {
        List<String> argv = wget(get("status page?x=1#top"), 1);
        assertEquals("http://localhost:8080/status%20page?x=1", argv.get(argv.size() - 1));
    }
}
