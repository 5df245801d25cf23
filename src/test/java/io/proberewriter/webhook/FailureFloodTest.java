package io.proberewriter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proberewriter.engine.GlobalSettings;
import io.proberewriter.engine.MtlsOracle;
import io.proberewriter.engine.ProbeRewriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A bug of ours that hits every pod fails every admission: each is still answered and counted, but the log gets one
 * stack trace a minute per kind of failure and a count of the rest, not a stack trace per pod (thousands a second,
 * logged on the event loop, drowning every other line).
 */
class FailureFloodTest {

    private static final int ADMISSIONS = 1_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();

    /** An engine whose every mTLS question fails, as a NullPointerException on a common pod shape would. */
    private final MtlsOracle broken = target -> {
        throw new NullPointerException("simulated bug");
    };

    @Test
    void aThousandFailedAdmissionsLogOneStackTraceThenTheCountOfTheRest() throws Exception {
        AdmissionController controller = new AdmissionController(
                new PodMutator(new ProbeRewriter(GlobalSettings.defaults(), broken), StandaloneAdmission.CONFIG),
                StandaloneAdmission.namespaces(), new AdmissionMetrics(registry), nanos::get);

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
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"containers":[
                 {"name":"app","livenessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}}""".formatted(name);
        return Reviews.JSON.writeValueAsBytes(Reviews.podCreate("default", Reviews.JSON.readTree(pod)));
    }

    private double admissions(Outcome outcome) {
        return registry.find("probe_rewriter_admissions").tag("outcome", outcome.label()).counter().count();
    }
}
