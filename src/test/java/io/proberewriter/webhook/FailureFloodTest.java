package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.ProbeRewriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A bug of ours that hits every pod fails every admission: each is still answered and counted, but the log gets one
 * stack trace a minute per kind of failure and a count of the rest, not a stack trace per pod (thousands a second,
 * logged on the event loop, drowning every other line).
 */
class FailureFloodTest {

    private static final int ADMISSIONS = 1_000;

    /** What the parser says of {@code "periodSeconds": "often"}. */
    private static final String TYPE_PROBLEM = "Cannot coerce String value (\"often\") to Integer value (but might if"
            + " coercion using `CoercionConfig` was enabled)";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();

    /** An engine whose every mTLS question fails, as a NullPointerException on a common pod shape would. */
    private final MtlsOracle broken = target -> {
        throw new NullPointerException("simulated bug");
    };

    /** A controller on the test's clock whose every admission of a pod CREATE fails with the same bug. */
    private AdmissionController brokenController() {
        return new AdmissionController(
                new PodMutator(new ProbeRewriter(GlobalSettings.defaults(), broken), StandaloneAdmission.CONFIG),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get);
    }

    @Test
    void aThousandFailedAdmissionsLogOneStackTraceThenTheCountOfTheRest() throws Exception {
        AdmissionController controller = brokenController();

        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            for (int i = 0; i < ADMISSIONS; i++) {
                assertEquals(200, controller.handle(review("web-" + i)).status());
                nanos.addAndGet(Duration.ofMillis(10).toNanos()); // 1,000 in 10 s: within one window
            }
            assertEquals(1, log.withStackTrace(Level.SEVERE), log.toString());
            assertTrue(log.has(Level.SEVERE, "failed; the pod is allowed unchanged"), log.toString());

            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
            controller.handle(review("web-late"));

            assertEquals(2, log.withStackTrace(Level.SEVERE), "the next window logs its first in full: " + log);
            List<String> errors = log.messages(Level.SEVERE);
            assertEquals(3, errors.size(), log.toString());
            String summary = errors.get(1);
            assertTrue(summary.startsWith("… " + String.format("%,d", ADMISSIONS - 1) + " more like it in the last 70 s"),
                    summary);
            assertTrue(summary.contains("java.lang.NullPointerException at "), summary);
            assertTrue(summary.contains("probe_rewriter_admissions_total{outcome=\"error\"}"), summary);
        }
        assertEquals(ADMISSIONS + 1, admissions(Outcome.ERROR), "every failure is counted");
    }

    /**
     * A bug that fails a burst of pods and then no more: the number of its repeats reaches the log once its minute is
     * over, at the next admission of any kind, not only with a next failure of its kind that may never come; once.
     */
    @Test
    void failuresThatStopGetTheirCountLoggedAtTheNextAdmissionAfterTheMinute() throws Exception {
        AdmissionController controller = brokenController();

        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            for (int i = 0; i < 100; i++) {
                controller.handle(review("web-" + i));
                nanos.addAndGet(Duration.ofMillis(10).toNanos()); // 100 in 1 s, then no more
            }
            controller.handle(update("web-0")); // within the minute: nothing to say yet
            List<String> errors = log.messages(Level.SEVERE);
            assertEquals(1, errors.size(), log.toString());
            assertTrue(errors.get(0).startsWith("Admission of Pod default/web-0 CREATE uid "), errors.get(0));

            nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
            controller.handle(update("web-0")); // not a failure, not even a pod CREATE

            errors = log.messages(Level.SEVERE);
            assertEquals(2, errors.size(), log.toString());
            assertTrue(errors.get(1).startsWith("… 99 more like it in the last 61 s, not logged (each is counted in"
                    + " probe_rewriter_admissions_total{outcome=\"error\"}): java.lang.NullPointerException at "),
                    errors.get(1));
            assertEquals(1, log.withStackTrace(Level.SEVERE), "a summary, not a failure: " + log);

            // Told once: the admissions after it, a window later still, say nothing more.
            for (int i = 0; i < 3; i++) {
                nanos.addAndGet(RepeatedFailureLog.WINDOW.toNanos());
                controller.handle(update("web-0"));
            }
            assertEquals(2, log.messages(Level.SEVERE).size(), log.toString());

            // The next failure of that kind is logged in full at once, with no summary before it: none was left.
            controller.handle(review("web-again"));
            errors = log.messages(Level.SEVERE);
            assertEquals(3, errors.size(), log.toString());
            assertTrue(errors.get(2).startsWith("Admission of Pod default/web-again CREATE"), errors.get(2));
        }
        assertEquals(101, admissions(Outcome.ERROR), "every failure is counted");
    }

    /**
     * A client or a broken controller that creates a thousand pods with a field of the wrong type: each is admitted
     * unchanged and counted, but the log gets one line a minute, which names one of them and its problem and says how
     * many there were since the line before; pods that stop get their count logged at the next admission.
     */
    @Test
    void aThousandUnreadablePodsLogOneLineAMinuteWithTheirCount() throws Exception {
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get);
        String counted = "; logged at most once a minute, each counted in"
                + " probe_rewriter_admissions_total{outcome=\"error\"})";

        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            for (int i = 0; i < ADMISSIONS; i++) {
                assertEquals(200, controller.handle(unreadable("bad-" + i)).status());
                nanos.addAndGet(Duration.ofMillis(10).toNanos()); // 1,000 in 10 s: within one minute
            }
            List<String> warnings = log.messages(Level.WARNING);
            assertEquals(1, warnings.size(), log.toString());
            assertTrue(warnings.get(0).startsWith("Pod in Pod default/bad-0 CREATE uid "), warnings.get(0));
            assertTrue(warnings.get(0).endsWith(" could not be read, admitted unchanged:"
                    + " request.object.spec.containers[0].livenessProbe.periodSeconds: " + TYPE_PROBLEM
                    + " (pods not read since the last line like this: 1" + counted), warnings.get(0));

            // The next one after the minute is logged, with the count of those since the line before, itself too.
            nanos.addAndGet(AdmissionController.UNREADABLE_POD_LOG_INTERVAL.toNanos());
            controller.handle(unreadable("bad-late"));
            assertLastUnreadablePodLine(log, 2, "bad-late", "1,000" + counted);

            // Five more, then none: the next admission after the minute, of any kind, logs their count and one of them.
            for (int i = 0; i < 5; i++) {
                controller.handle(unreadable("bad-last-" + i));
            }
            nanos.addAndGet(AdmissionController.UNREADABLE_POD_LOG_INTERVAL.toNanos());
            controller.handle(update("web"));
            assertLastUnreadablePodLine(log, 3, "bad-last-0", "5" + counted);

            // Nothing left: no more lines.
            nanos.addAndGet(AdmissionController.UNREADABLE_POD_LOG_INTERVAL.toNanos());
            controller.handle(update("web"));
            assertEquals(3, log.messages(Level.WARNING).size(), log.toString());
        }
        assertEquals(ADMISSIONS + 6, admissions(Outcome.ERROR), "every one is counted");
    }

    /** The log has {@code lines} warnings, the last naming {@code pod} and ending with the count since the one before. */
    private static void assertLastUnreadablePodLine(LogCapture log, int lines, String pod, String countAndRest) {
        List<String> warnings = log.messages(Level.WARNING);
        assertEquals(lines, warnings.size(), log.toString());
        String last = warnings.get(lines - 1);
        assertTrue(last.startsWith("Pod in Pod default/" + pod + " CREATE uid "), last);
        assertTrue(last.endsWith("(pods not read since the last line like this: " + countAndRest), last);
    }

    /**
     * Unreadable pods from several threads while minutes pass: every one is counted in exactly one line, and every
     * line names a pod, however the threads interleave with the line of each minute and with the admissions that log
     * the count of those left over.
     */
    @Test
    void unreadablePodsFromManyThreadsAreEachCountedInExactlyOneLine() throws Exception {
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get);
        int threads = 4;
        int perThread = 1_500;
        byte[] pod = unreadable("bad");
        byte[] other = update("web");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                senders.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        controller.handle(pod);
                        if (i % 7 == 0) {
                            controller.handle(other); // may log what waits, racing the pods' own lines
                        }
                        nanos.addAndGet(Duration.ofSeconds(1).toNanos()); // a minute every 60 admissions
                    }
                }));
            }
            for (Future<?> sender : senders) {
                sender.get(60, TimeUnit.SECONDS);
            }
            nanos.addAndGet(AdmissionController.UNREADABLE_POD_LOG_INTERVAL.toNanos());
            controller.handle(other); // what was left over

            Pattern count = Pattern.compile("\\(pods not read since the last line like this: ([0-9,]+);");
            long counted = 0;
            for (String line : log.messages(Level.WARNING)) {
                assertTrue(line.startsWith("Pod in Pod default/bad CREATE uid "), line);
                Matcher m = count.matcher(line);
                assertTrue(m.find(), line);
                counted += Long.parseLong(m.group(1).replace(",", ""));
            }
            assertEquals((long) threads * perThread, counted, log.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThousandUnreadableBodiesLogOneStackTrace() throws Exception {
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get) {
            @Override
            ReviewRequest read(byte[] body) {
                throw new OutOfMemoryError("Java heap space");
            }
        };

        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            for (int i = 0; i < ADMISSIONS; i++) {
                assertEquals(200, controller.handle(review("big-" + i)).status());
            }
            assertEquals(1, log.withStackTrace(Level.SEVERE), log.toString());
            assertEquals(1, log.messages(Level.SEVERE).size(), log.toString());
        }
        assertEquals(ADMISSIONS, admissions(Outcome.ERROR));
    }

    @Test
    void aThousandUnwrittenAnswersLogOneStackTrace() throws Exception {
        AdmissionController controller = new AdmissionController(StandaloneAdmission.mutator(),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get) {
            @Override
            byte[] write(String uid, Mutation mutation) {
                if (mutation.patch().isPresent()) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return super.write(uid, mutation);
            }
        };

        try (LogCapture log = LogCapture.of(AdmissionController.class)) {
            for (int i = 0; i < ADMISSIONS; i++) {
                assertEquals(200, controller.handle(review("web-" + i)).status());
            }
            assertEquals(1, log.withStackTrace(Level.SEVERE), log.toString());
        }
        assertEquals(ADMISSIONS, admissions(Outcome.ERROR));
    }

    private static byte[] review(String name) throws Exception {
        return Reviews.JSON.writeValueAsBytes(named(Reviews.podCreate("default", pod(name, "8"))));
    }

    /** A pod CREATE whose pod has a field of the wrong type, as a broken client sends it. */
    private static byte[] unreadable(String name) throws Exception {
        return Reviews.JSON.writeValueAsBytes(named(Reviews.podCreate("default", pod(name, "\"often\""))));
    }

    /** An admission of another kind: a pod UPDATE, skipped. */
    private static byte[] update(String name) throws Exception {
        return Reviews.JSON.writeValueAsBytes(named(Reviews.request("", "v1", "Pod", "pods", "UPDATE", "default",
                pod(name, "8"))));
    }

    private static JsonNode pod(String name, String periodSeconds) throws Exception {
        return Reviews.JSON.readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"containers":[
                 {"name":"app","livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":%s}}]}}"""
                .formatted(name, periodSeconds));
    }

    /** With the request's name, which the log lines name, as the API server sends it. */
    private static ObjectNode named(ObjectNode review) {
        ((ObjectNode) review.get("request")).put("name", review.at("/request/object/metadata/name").asText());
        return review;
    }

    private double admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter().count();
    }
}
