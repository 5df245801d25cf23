package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The webhook reads bodies with three parsers (small bodies, large ones, ill-formed UTF-8), and Jackson builds the
 * deserializers of fabric8's model once for all of them: the warm-up admission, a small body, pays for it, and the
 * first large or ill-formed body after it costs what the next one does, not megabytes more. Measured in a fresh JVM,
 * where those really are the first reads, by the thread's allocation counter (not by time).
 */
class ReviewCodecFirstReadsTest {

    /** Far under what building the model's deserializers again allocates (megabytes), above a body's own reading. */
    private static final long SLACK_BYTES = 512 * 1024;

    @Test
    void theFirstLargeAndIllFormedBodiesCostWhatTheNextOnesDo() throws Exception {
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FirstReads.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), out);
        for (String kind : List.of("large", "ill-formed")) {
            String line = out.lines().filter(l -> l.startsWith(kind + " ")).findFirst().orElseThrow(() ->
                    new AssertionError("no " + kind + " line in:\n" + out));
            String[] bytes = line.split(" ");
            long first = Long.parseLong(bytes[1]);
            long next = Long.parseLong(bytes[2]);
            assertTrue(first <= next + SLACK_BYTES, kind + ": the first read allocated " + first + " bytes, the next "
                    + next + ": its deserializers were built again\n" + out);
        }
    }

    /** Reads a small body (as the warm-up does), then prints the bytes allocated by two reads of each other kind. */
    public static final class FirstReads {
        public static void main(String[] args) throws Exception {
            ReviewCodec.read(body(0, ""));
            byte[] large = body(2_000, "");
            byte[] illFormed = body(0, "\u00ff");
            assertTrue(large.length > ReviewCodec.SMALL_BODY_BYTES, "large");
            assertTrue(!WellFormedUtf8.check(illFormed), "ill-formed");
            System.out.println("large " + allocatedBy(large) + " " + allocatedBy(large));
            System.out.println("ill-formed " + allocatedBy(illFormed) + " " + allocatedBy(illFormed));
        }

        private static long allocatedBy(byte[] body) throws BadAdmissionRequest {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            ReviewCodec.read(body);
            return threads.getCurrentThreadAllocatedBytes() - before;
        }

        /**
         * A pod with three HTTP probes, {@code envVars} env vars (what makes a pod large) and a label whose value is
         * {@code labelValue} written as Latin-1 bytes, so that U+00FF becomes the ill-formed byte 0xFF.
         */
        private static byte[] body(int envVars, String labelValue) throws Exception {
            ObjectNode pod = (ObjectNode) Reviews.JSON.readTree("""
                    {"metadata":{"name":"p","labels":{"app":"LABEL"}},"spec":{"containers":[{"name":"app",
                     "image":"example/app:1","ports":[{"name":"http","containerPort":8080}],
                     "livenessProbe":{"httpGet":{"path":"/healthz","port":"http"}},
                     "readinessProbe":{"httpGet":{"path":"/ready","port":8080}},
                     "startupProbe":{"httpGet":{"path":"/started","port":"http"}}}]}}""");
            var env = ((ObjectNode) pod.at("/spec/containers/0")).putArray("env");
            for (int i = 0; i < envVars; i++) {
                env.addObject().put("name", "SETTING_" + i).put("value", "v".repeat(40));
            }
            String json = Reviews.podCreate("default", pod).toString().replace("LABEL", "app" + labelValue);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (char c : json.toCharArray()) {
                bytes.write(c);
            }
            return bytes.toByteArray();
        }
    }
}
