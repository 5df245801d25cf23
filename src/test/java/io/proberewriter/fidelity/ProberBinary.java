package io.proberewriter.fidelity;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The prober built by the Maven profile {@code prober} (target/prober/prober, or the system property
 * {@code prober.binary}). Where the build says it is required ({@code prober.required=true}: the profile, and CI),
 * a missing binary fails the test that needs it; elsewhere such a test is skipped, so that the project still
 * builds and tests without Go.
 */
final class ProberBinary {

    private ProberBinary() {
    }

    static Path path() {
        return Path.of(System.getProperty("prober.binary", "target/prober/prober")).toAbsolutePath();
    }

    static boolean available() {
        return Files.isExecutable(path());
    }

    static boolean required() {
        return Boolean.getBoolean("prober.required");
    }

    /** Fails (where required) or skips the calling test unless the binary is there. */
    static Path require() {
        if (!available()) {
            String what = "the prober is not built at " + path() + " (needs Go: apt-get install -y golang-go, then mvn "
                    + "compile, which activates the profile prober)";
            if (required()) {
                fail(what + "; prober.required=true, so this is a failure, not a skip");
            }
            Assumptions.abort(what);
        }
        return path();
    }
}
