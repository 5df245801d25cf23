package io.proberewriter.engine;

import static io.proberewriter.engine.EngineFixtures.argv;
import static io.proberewriter.engine.EngineFixtures.header;
import static io.proberewriter.engine.EngineFixtures.pod;
import static io.proberewriter.engine.EngineFixtures.rewrite;
import static io.proberewriter.engine.EngineFixtures.rewriter;
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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CurlCommandTest {

    private static final List<String> FIXED_FLAGS = List.of("curl", "--disable", "--silent", "--show-error",
            "--fail", "--globoff", "--path-as-is", "--noproxy", "*", "--location", "--max-redirs", "9");

    private static HTTPGetAction get(String path, HTTPHeader... headers) {
        return new HTTPGetActionBuilder().withPort(new IntOrString(8080)).withPath(path)
                .withHttpHeaders(headers).build();
    }

    private static List<String> curl(HTTPGetAction get, Integer timeout) {
        LocalHttpCheck check = LocalHttpCheck.of(get, 8080, timeout, GlobalSettings.DEFAULT_USER_AGENT);
        return new CurlCommand().argv(check, PodOs.LINUX);
    }

    /** The values of every {@code --header} option, in order. */
    private static List<String> headers(List<String> argv) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv.get(i).equals("--header")) {
                out.add(argv.get(i + 1));
            }
        }
        return out;
    }

    private static String url(List<String> argv) {
        return argv.get(argv.size() - 1);
    }

    private static List<String> list(String... items) {
        return Arrays.asList(items);
    }

    @Test
    void simpleProbeThroughTheEngineGivesTheExactArgv() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/healthz")
                .endHttpGet().withTimeoutSeconds(3).build();
        RewriteResult result = rewrite(pod(withOnly("web", probe)));

        List<String> expected = new ArrayList<>(FIXED_FLAGS);
        expected.addAll(list("--max-time", "3", "--insecure", "--output", "/dev/null",
                "--header", "User-Agent: kube-probe/1.35", "--header", "Accept: */*",
                "http://localhost:8080/healthz"));
        assertEquals(expected, argv(result, "web", ProbeKind.LIVENESS));
        assertTrue(result.decisions().get(0).reason().contains("now runs curl against http://localhost:8080/healthz"),
                result.decisions().get(0).reason());
    }

    @Test
    void httpsAddsInsecureAndAnHttpsUrl() {
        HTTPGetAction get = new HTTPGetActionBuilder(get("/healthz")).withScheme("HTTPS").build();
        List<String> argv = curl(get, 5);

        List<String> expected = new ArrayList<>(FIXED_FLAGS);
        expected.addAll(list("--max-time", "5", "--insecure", "--output", "/dev/null",
                "--header", "User-Agent: kube-probe/1.35", "--header", "Accept: */*",
                "https://localhost:8080/healthz"));
        assertEquals(expected, argv);
    }

    @Test
    void plainHttpAlsoSkipsCertificateChecksForRedirectsToHttps() {
        HTTPGetAction get = new HTTPGetActionBuilder(get("/healthz")).withScheme("HTTP").build();
        List<String> argv = curl(get, 5);
        assertTrue(argv.contains("--insecure"), argv.toString());
        assertEquals("http://localhost:8080/healthz", url(argv));
    }

    @Test
    void anEmptyFirstAcceptRemovesEveryAcceptAsTheKubeletDoes() {
        List<String> argv = curl(get("/h", header("Accept", ""), header("Accept", "application/json")), 1);
        assertEquals(list("User-Agent: kube-probe/1.35", "Accept:"), headers(argv));
    }

    @Test
    void aLaterEmptyAcceptIsSentAsTheKubeletDoes() {
        List<String> argv = curl(get("/h", header("Accept", "application/json"), header("Accept", "")), 1);
        assertEquals(list("Accept: application/json", "Accept;", "User-Agent: kube-probe/1.35"), headers(argv));
    }

    @Test
    void emptyHostUserAgentAndAcceptAreNotSentAsTheKubeletDoes() {
        List<String> argv = curl(get("/h", header("Host", ""), header("User-Agent", ""), header("Accept", ""),
                header("X-Empty", "")), 1);
        // Host empty: the default host; User-Agent and Accept empty: curl's own defaults removed ("Name:").
        assertEquals(list("X-Empty;", "User-Agent:", "Accept:"), headers(argv));
    }

    @Test
    void headersKeepTheirOrderAndRepeatsThenDefaultsFollow() {
        List<String> argv = curl(get("/h", header("X-B", "2"), header("X-A", "1"), header("X-B", "3")), 1);
        assertEquals(list("X-B: 2", "X-A: 1", "X-B: 3", "User-Agent: kube-probe/1.35", "Accept: */*"),
                headers(argv));
    }

    @Test
    void onlyTheFirstHostAndTheFirstUserAgentAreKept() {
        List<String> argv = curl(get("/h",
                header("Host", "a.example"), header("User-Agent", "first"), header("X-Y", "1"),
                header("host", "b.example"), header("user-agent", "second")), 1);
        assertEquals(list("Host: a.example", "User-Agent: first", "X-Y: 1", "Accept: */*"), headers(argv));
    }

    @Test
    void defaultsAreNotAddedWhenTheProbeSetsThemInAnyCase() {
        List<String> argv = curl(get("/h", header("user-AGENT", "mine/1"), header("ACCEPT", "text/plain")), 1);
        assertEquals(list("user-AGENT: mine/1", "ACCEPT: text/plain"), headers(argv));
    }

    @Test
    void onlyTheMissingDefaultIsAdded() {
        assertEquals(list("Accept: application/json", "User-Agent: kube-probe/1.35"),
                headers(curl(get("/h", header("Accept", "application/json")), 1)));
        assertEquals(list("User-Agent: mine", "Accept: */*"),
                headers(curl(get("/h", header("User-Agent", "mine")), 1)));
    }

    @Test
    void configuredUserAgentIsTheDefault() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/")
                .endHttpGet().build();
        RewriteResult result = rewriter(EngineFixtures.ANY_HEALTH_PORT.withUserAgent("kube-probe/1.29"))
                .rewrite(pod(withOnly("web", probe)), EngineFixtures.NS);
        assertTrue(headers(argv(result, "web", ProbeKind.LIVENESS)).contains("User-Agent: kube-probe/1.29"));
    }

    @Test
    void emptyHeaderValueUsesCurlsSemicolonForm() {
        List<String> argv = curl(get("/h", header("X-Empty", ""), header("X-Null", null)), 1);
        assertEquals(list("X-Empty;", "X-Null;", "User-Agent: kube-probe/1.35", "Accept: */*"), headers(argv));
    }

    @Test
    void timeoutDefaultsToOneSecond() {
        List<String> unset = curl(get("/h"), null);
        assertEquals("1", unset.get(unset.indexOf("--max-time") + 1));
        List<String> zero = curl(get("/h"), 0);
        assertEquals("1", zero.get(zero.indexOf("--max-time") + 1));
        List<String> ten = curl(get("/h"), 10);
        assertEquals("10", ten.get(ten.indexOf("--max-time") + 1));
    }

    @Test
    void timeoutUnsetOnTheProbeGivesMaxTimeOneThroughTheEngine() {
        Probe probe = new ProbeBuilder().withNewHttpGet().withPort(new IntOrString(8080)).withPath("/")
                .endHttpGet().build();
        List<String> argv = argv(rewrite(pod(withOnly("web", probe))), "web", ProbeKind.LIVENESS);
        assertEquals("1", argv.get(argv.indexOf("--max-time") + 1));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL                 | http://localhost:8080/",
            "''                   | http://localhost:8080/",
            "healthz              | http://localhost:8080/healthz",
            "/healthz?full=1&x=y  | http://localhost:8080/healthz?full=1&x=y",
            "/a b/c               | http://localhost:8080/a%20b/c",
            "/a%2Fb%20c           | http://localhost:8080/a%2Fb%20c",
            "/100%                | http://localhost:8080/100%25",
            "/bad%zz              | http://localhost:8080/bad%25zz",
            "/page#section        | http://localhost:8080/page",
            "/q?a=1#frag          | http://localhost:8080/q?a=1",
            "/caf\u00e9           | http://localhost:8080/caf%C3%A9",
            "/[a]/../b            | http://localhost:8080/[a]/../b",
    })
    void pathIsNormalizedAsTheKubeletSendsIt(String path, String expectedUrl) {
        assertEquals(expectedUrl, url(curl(get(path), 1)));
    }

    @Test
    void charactersIllegalInARequestLineArePercentEncoded() {
        assertEquals("http://localhost:8080/%22x%22%3Cy%3E%7Bz%7D%7C%5E%60%5C%09%7F",
                url(curl(get("/\"x\"<y>{z}|^`\\\t\u007f"), 1)));
    }

    @Test
    void headerValueWithShellSyntaxStaysOneUntouchedArgument() {
        String value = "\"quoted\" 'single' $(rm -rf /) `id` ; echo pwned && $HOME";
        List<String> argv = curl(get("/h", header("X-Token", value)), 1);

        int at = argv.indexOf("X-Token: " + value);
        assertTrue(at > 0, argv.toString());
        assertEquals("--header", argv.get(at - 1));
        assertEquals(list("X-Token: " + value, "User-Agent: kube-probe/1.35", "Accept: */*"), headers(argv));
    }

    @Test
    void pathWithShellSyntaxStaysOneArgument() {
        List<String> argv = curl(get("/$(id);ls"), 1);
        assertEquals("http://localhost:8080/$(id);ls", url(argv));
        assertTrue(argv.stream().noneMatch(a -> a.equals("sh") || a.equals("-c")), "no shell involved");
    }
}
