package io.proberewriter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The prober's image setting is checked at startup and by the CLI's flag: an answer for any text, never a crash. */
class ImageReferenceTest {

    @Test
    void referencesAreAccepted() {
        for (String image : new String[] {"probe-rewriter/prober:1.2.0", "registry.example.com:5000/team/prober",
                "ghcr.io/a/b__c/d-e:v1.0_rc@sha256:" + "0123456789abcdef".repeat(4), "a".repeat(255)}) {
            assertEquals(Optional.empty(), ImageReference.problem(image), image);
        }
    }

    /** The pattern's repeated groups recurse per repetition: thousands of them overflowed the stack. */
    @Test
    void aVeryLongTextIsAProblemNotAStackOverflow() {
        Optional<String> problem = ImageReference.problem("a" + ".a".repeat(10_000));
        assertTrue(problem.isPresent() && problem.get().contains("longer than any image reference"),
                problem::toString);
        assertTrue(ImageReference.problem("a" + "/a".repeat(10_000)).isPresent());
    }

    @Test
    void aNameOverTheRegistriesLimitIsAProblem() {
        assertEquals(Optional.of("has a name of 256 characters: registries take 255 at most"),
                ImageReference.problem("a".repeat(256) + ":v1"));
        assertEquals(Optional.empty(), ImageReference.problem("a".repeat(255) + ":v1"));
    }
}
