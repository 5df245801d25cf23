package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.api.model.GRPCActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of the prober's command line as the engine reads it back from a pod
 * ({@link ProberCommand#knownToThisRelease}): a pod's commands are the sender's, and the answer decides whether a
 * pod keeps a newer prober. Two properties, on the fuzzer's bytes:
 * <ul>
 *   <li>any command: the engine's answer is the prober's ({@link GoFlagReading}, Go's flag rules), wherever Go's
 *       answer does not depend on the release (a syntax no release reads);</li>
 *   <li>a command this release writes, from any handler: this release knows it, and the prober reads back every
 *       value as the handler holds it, whatever it looks like ({@code --port=1} as a path stays a path).</li>
 * </ul>
 * See {@link io.proberewriter.webhook.AdmissionFuzzTest} for how fuzz tests run.
 */
class ProberCommandFuzzTest {

    private static final List<String> CHECKS = List.of("http", "http-hook", "tcp", "grpc", "install", "version",
            "--version", "help", "-h", "--help", "exec", "");

    @DictionaryEntries({"--", "-", "=", "--port", "-port", "--header", "--path", "--timeout", "--on-error",
            "--user-agent", "--service", "--scheme", "--host", "-h", "-help", "---", "-=", "http-hook", "grpc"})
    @FuzzTest(maxDuration = "10m")
    void readsCommandsAsTheProberDoes(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            anyCommand(data);
        } else {
            writtenCommand(data);
        }
    }

    private static void anyCommand(FuzzedDataProvider data) {
        List<String> argv = new ArrayList<>(List.of(ProberInjection.BINARY, data.pickValue(CHECKS)));
        int count = data.consumeInt(0, 8);
        for (int i = 0; i < count; i++) {
            argv.add(data.consumeString(30));
        }
        GoFlagReading.Verdict prober = GoFlagReading.verdict(argv);
        if (prober == GoFlagReading.Verdict.BAD_SYNTAX) {
            return; // Refused by every release: either answer keeps a prober that refuses it.
        }
        assertEquals(prober == GoFlagReading.Verdict.KNOWN, ProberCommand.knownToThisRelease(argv),
                () -> "the prober finds " + prober + ": " + argv);
    }

    private static void writtenCommand(FuzzedDataProvider data) {
        int port = data.consumeInt(1, 65535);
        int timeout = data.consumeInt(0, 1000);
        String userAgent = data.pickValue(List.of(GlobalSettings.DEFAULT_USER_AGENT, "kube-probe/1.30", "x"));
        int which = data.consumeInt(0, 3);
        List<String> argv;
        Map<String, List<String>> expected;
        if (which == 2) {
            argv = ProberCommand.tcp(port, timeout);
            expected = Map.of("port", List.of(Integer.toString(port)));
        } else if (which == 3) {
            String service = data.consumeString(20);
            argv = ProberCommand.grpc(new GRPCActionBuilder().withPort(port).withService(service).build(), timeout,
                    userAgent);
            expected = service.isEmpty() ? Map.of("port", List.of(Integer.toString(port)))
                    : Map.of("port", List.of(Integer.toString(port)), "service", List.of(service));
        } else {
            List<HTTPHeader> headers = new ArrayList<>();
            int count = data.consumeInt(0, 3);
            for (int i = 0; i < count; i++) {
                headers.add(new HTTPHeader(data.consumeString(10), data.consumeString(10)));
            }
            HTTPGetAction get = new HTTPGetActionBuilder().withPath(data.consumeString(30))
                    .withScheme(data.consumeString(6)).withHttpHeaders(headers).build();
            argv = which == 0 ? ProberCommand.http(get, port, timeout, userAgent, data.pickValue(ProbeKind.values()))
                    : ProberCommand.httpHook(get, port, userAgent);
            expected = new java.util.HashMap<>(Map.of("port", List.of(Integer.toString(port)),
                    "header", headers.stream().map(h -> h.getName() + ": " + h.getValue()).toList()));
            if (!get.getPath().isEmpty()) {
                expected.put("path", List.of(get.getPath()));
            }
            if (!get.getScheme().isEmpty()) {
                expected.put("scheme", List.of(get.getScheme()));
            }
        }
        List<String> written = argv;
        assertTrue(ProberCommand.knownToThisRelease(written), () -> "this release's own command: " + written);
        assertEquals(GoFlagReading.Verdict.KNOWN, GoFlagReading.verdict(written), written::toString);
        Map<String, List<String>> read = GoFlagReading.flags(written.subList(2, written.size())).orElseThrow();
        expected.forEach((flag, values) -> assertEquals(values, read.getOrDefault(flag, List.of()),
                () -> "--" + flag + " as the prober reads " + written));
    }
}
