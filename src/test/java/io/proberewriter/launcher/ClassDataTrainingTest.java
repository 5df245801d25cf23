package io.proberewriter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The training run's own judgement of the answer it gets: only an allowed pod with a JSONPatch counts, since an
 * archive of a run that took another path would miss the classes the webhook loads for real admissions. The whole
 * run is ClassDataSharingIT.
 */
class ClassDataTrainingTest {

    @Test
    void onlyAPatchForItsOwnRequestCounts() throws IOException {
        assertNull(ClassDataTraining.problemWith(bytes("""
                {"response":{"uid":"class-data-training","allowed":true,"patchType":"JSONPatch","patch":"W10="}}""")));
        assertProblem("another request", """
                {"response":{"uid":"warm-up","allowed":true,"patchType":"JSONPatch","patch":"W10="}}""");
        assertProblem("not allowed", """
                {"response":{"uid":"class-data-training","allowed":false,"status":{"code":400}}}""");
        assertProblem("no patch", """
                {"response":{"uid":"class-data-training","allowed":true}}""");
        assertProblem("another request", "{}");
    }

    @Test
    void theTrainingReviewIsAPodCreateWithHttpProbes() throws IOException {
        try (InputStream in = ClassDataTraining.class.getResourceAsStream(ClassDataTraining.REVIEW_RESOURCE)) {
            assertNotNull(in, ClassDataTraining.REVIEW_RESOURCE + " is packaged");
            String review = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(review.contains("\"uid\": \"class-data-training\""), review);
            for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe", "managedFields"}) {
                assertTrue(review.contains("\"" + probe + "\""), probe);
            }
        }
    }

    private static void assertProblem(String expected, String answer) throws IOException {
        String problem = ClassDataTraining.problemWith(bytes(answer));
        assertNotNull(problem, answer);
        assertTrue(problem.contains(expected), problem);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
